/**
 * Where the leaf proposer's index comes from: the site's categories table (its names,
 * descriptions, keywords and active flags) and the dispatchers' final decisions in
 * `classifier_feedback`. The index is rebuilt when either changes, which one cheap
 * query tells, so a correction or a catalogue edit counts for the very next proposal.
 */
import type { Queryable } from '../db/index.js';
import { defaultCatalogue, shippedCategoryWords } from '../org/index.js';
import { buildLeafIndex, type CatalogueNode, type Example, type LeafIndex } from './leaf.js';

export interface LeafSource {
  /** The current index (rebuilt when the catalogue or the corrections changed). */
  index(): Promise<LeafIndex>;
  /** Forget the index (after an edit in this process, to skip the wait for the check). */
  invalidate(): void;
}

/** The catalogue as the database has it, with the shipped words where a site set none. */
export async function loadCatalogueNodes(q: Queryable): Promise<CatalogueNode[]> {
  const r = await q.query<{
    id: number;
    code: string;
    name: string;
    parentCode: string | null;
    description: string | null;
    keywords: string[] | null;
    active: boolean;
    department: string | null;
  }>(
    `SELECT c.id, c.code, c.name, p.code AS "parentCode", c.description, c.keywords, c.active, u.code AS department
       FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
       LEFT JOIN org_units u ON u.id = c.default_department_id AND u.active
      ORDER BY c.sort, c.id`,
  );
  const shipped = shippedCategoryWords();
  if (!r.rows.length) {
    // An unseeded database: the shipped catalogue, so that classify works before `hotline seed`.
    return defaultCatalogue().map((c) => ({
      id: null,
      code: c.code,
      name: c.name,
      parentCode: c.parent,
      description: shipped.get(c.code)?.description ?? null,
      keywords: shipped.get(c.code)?.keywords ?? [],
      active: true,
      department: c.department ?? null,
    }));
  }
  return r.rows.map((row) => ({
    ...row,
    description: row.description ?? shipped.get(row.code)?.description ?? null,
    keywords: row.keywords ?? shipped.get(row.code)?.keywords ?? [],
  }));
}

/**
 * Every dispatcher decision as an example: the latest per work order (a re-decision
 * replaces the earlier one), confirmations included, since a confirmed text is as good
 * a neighbour as a corrected one.
 */
export async function loadExamples(q: Queryable, limit = 50_000): Promise<Example[]> {
  const r = await q.query<Example>(
    `SELECT f.text, c.code AS "categoryCode", u.code AS "departmentCode" FROM (
       SELECT DISTINCT ON (COALESCE(work_order_id, -id)) id, text, final_category_id, final_department_id
         FROM classifier_feedback ORDER BY COALESCE(work_order_id, -id), id DESC) f
       JOIN categories c ON c.id = f.final_category_id AND c.active
       LEFT JOIN org_units u ON u.id = f.final_department_id
      ORDER BY f.id DESC LIMIT $1`,
    [limit],
  );
  return r.rows.filter((e) => e.text.trim());
}

export function createLeafSource(q: Queryable, priorLabels: () => Promise<string[]>): LeafSource {
  let current: { key: string; index: Promise<LeafIndex> } | undefined;
  return {
    async index() {
      const k = await q.query<{ key: string }>(
        `SELECT concat_ws('/', (SELECT count(*) FROM categories), (SELECT max(updated_at) FROM categories),
                (SELECT count(*) FROM classifier_feedback), (SELECT max(id) FROM classifier_feedback)) AS key`,
      );
      const key = k.rows[0]?.key ?? '';
      if (!current || current.key !== key) {
        const build = (async () => {
          const [nodes, examples, labels] = await Promise.all([loadCatalogueNodes(q), loadExamples(q), priorLabels()]);
          return buildLeafIndex(nodes, examples, labels);
        })();
        current = { key, index: build };
        build.catch(() => {
          if (current?.index === build) current = undefined;
        });
      }
      return current.index;
    },
    invalidate() {
      current = undefined;
    },
  };
}
