import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const BASE: Options = { useDefaults: true, removeAdditional: true, allErrors: false, strict: false };

/**
 * PostgreSQL's timestamps and dates take years 1 to 294276 (and BC, which no request
 * needs); JavaScript's Date and ajv-formats accept year 0 and ±275760, which then fail in
 * the database. Four-digit years from 0001 cover every real request.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= (days[m - 1] as number);
}

export function isStorableDate(s: string): boolean {
  const m = DATE.exec(s);
  return !!m && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function isStorableDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  const offset = m[8] as string;
  if (offset.length === 6 && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4)) > 59)) return false;
  // 23:59:60 is a leap second, which PostgreSQL accepts.
  return Number(m[4]) <= 23 && Number(m[5]) <= 59 && Number(m[6]) <= 60;
}

/**
 * The same schema with the limits every request needs but few routes spell out:
 * integers within what JavaScript holds exactly (and PostgreSQL's bigint stores), strings
 * without NUL (PostgreSQL text cannot hold it), and objects that drop fields they do not
 * declare (removeAdditional acts only where additionalProperties is false). A copy, so the
 * OpenAPI document keeps the schema as written.
 */
export function hardenSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(hardenSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    // `properties` and `patternProperties` map names to schemas; `const`, `default`,
    // `enum` and `examples` hold values, which must stay as they are.
    if (k === 'properties' || k === 'patternProperties' || k === '$defs' || k === 'definitions') {
      out[k] = Object.fromEntries(Object.entries(v as object).map(([n, s]) => [n, hardenSchema(s)]));
    } else if (k === 'const' || k === 'default' || k === 'enum' || k === 'examples') out[k] = v;
    else out[k] = hardenSchema(v);
  }
  const types = ([] as unknown[]).concat(out.type ?? []);
  if (types.includes('integer')) {
    if (out.maximum === undefined && out.exclusiveMaximum === undefined) out.maximum = Number.MAX_SAFE_INTEGER;
    if (out.minimum === undefined && out.exclusiveMinimum === undefined) out.minimum = -Number.MAX_SAFE_INTEGER;
  }
  if (types.includes('string')) out.noNul = true;
  if (types.includes('object') && out.properties && out.additionalProperties === undefined && !out.patternProperties) {
    out.additionalProperties = false;
  }
  return out;
}

function noNul(this: unknown, _schema: unknown, data: unknown): boolean {
  if (typeof data !== 'string' || !data.includes('\u0000')) return true;
  noNul.errors = [{ keyword: 'noNul', message: 'must not contain the NUL character (\\u0000)', params: {} }];
  return false;
}
noNul.errors = [] as object[];

/**
 * Query strings, path parameters and headers arrive as text, so they are coerced to the
 * schema's types; JSON bodies are not: `{"count": "3"}` for an integer is a client's
 * mistake and gets a 400 naming the field, instead of being silently accepted.
 */
export function buildValidator(externalSchemas: Record<string, unknown>) {
  const make = (coerceTypes: Options['coerceTypes']) => {
    const ajv = new Ajv({ ...BASE, coerceTypes });
    addFormats(ajv);
    ajv.addFormat('date', { type: 'string', validate: isStorableDate });
    ajv.addFormat('date-time', { type: 'string', validate: isStorableDateTime });
    ajv.addKeyword({ keyword: 'noNul', type: 'string', validate: noNul, errors: true });
    for (const schema of Object.values(externalSchemas)) ajv.addSchema(hardenSchema(schema) as object);
    return ajv;
  };
  const strict = make(false);
  const coercing = make('array');
  // ajv caches compiled schemas by object, and refuses a second schema with the same $id:
  // one hardened copy per original keeps both working.
  const copies = new WeakMap<object, object>();
  const hardened = (schema: object) => {
    const known = copies.get(schema);
    if (known) return known;
    const copy = hardenSchema(schema) as object;
    copies.set(schema, copy);
    return copy;
  };
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === 'body' ? strict : coercing).compile(hardened(schema));
}
