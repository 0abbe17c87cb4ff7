import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const BASE: Options = { useDefaults: true, removeAdditional: true, allErrors: false, strict: false };

/**
 * Query strings, path parameters and headers arrive as text, so they are coerced to the
 * schema's types; JSON bodies are not: `{"count": "3"}` for an integer is a client's
 * mistake and gets a 400 naming the field, instead of being silently accepted.
 */
export function buildValidator(externalSchemas: Record<string, unknown>) {
  const make = (coerceTypes: Options['coerceTypes']) => {
    const ajv = new Ajv({ ...BASE, coerceTypes });
    addFormats(ajv);
    for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema as object);
    return ajv;
  };
  const strict = make(false);
  const coercing = make('array');
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) => (httpPart === 'body' ? strict : coercing).compile(schema);
}
