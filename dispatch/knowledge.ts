/** The knowledge base (知识库) agents search during a call. */
import type { Queryable } from '../db/index.js';
import { DispatchErrors } from './errors.js';
import type { KnowledgeArticle } from './schemas.js';
import { bigrams } from './similarity.js';

/** An article as stored; the API's KnowledgeArticle adds the search score. */
export type Article = Omit<KnowledgeArticle, 'score'>;

export interface ArticleInput {
  title: string;
  body: string;
  tags?: string[];
}

const COLUMNS = `id, title, body, tags, active, updated_at AS "updatedAt"`;
const toArticle = (r: Article): Article => ({ ...r, updatedAt: new Date(r.updatedAt).toISOString() });

export async function getArticle(q: Queryable, id: number): Promise<Article> {
  const r = await q.query<Article>(`SELECT ${COLUMNS} FROM kb_articles WHERE id = $1`, [id]);
  if (!r.rows[0]) throw DispatchErrors.KB_ARTICLE_NOT_FOUND({ id });
  return toArticle(r.rows[0]);
}

export async function createArticle(q: Queryable, input: ArticleInput, userId: number | null): Promise<Article> {
  const r = await q.query<Article>(`INSERT INTO kb_articles (title, body, tags, created_by) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`, [
    input.title.trim(),
    input.body,
    cleanTags(input.tags),
    userId,
  ]);
  return toArticle(r.rows[0] as Article);
}

export async function updateArticle(q: Queryable, id: number, input: ArticleInput & { active?: boolean }): Promise<Article> {
  const r = await q.query<Article>(
    `UPDATE kb_articles SET title = $2, body = $3, tags = $4, active = COALESCE($5, active), updated_at = now()
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, input.title.trim(), input.body, cleanTags(input.tags), input.active ?? null],
  );
  if (!r.rows[0]) throw DispatchErrors.KB_ARTICLE_NOT_FOUND({ id });
  return toArticle(r.rows[0]);
}

const cleanTags = (tags: string[] = []) => [...new Set(tags.map((t) => t.trim()).filter(Boolean))];

/**
 * Articles ranked for a query: shared character bigrams, weighted title > tags > body, so
 * "护照怎么办" finds "护照办理指南" without a word list. An empty query lists the newest.
 */
export async function searchArticles(q: Queryable, query: string, limit = 20): Promise<(Article & { score: number })[]> {
  const r = await q.query<Article>(`SELECT ${COLUMNS} FROM kb_articles WHERE active ORDER BY updated_at DESC, id DESC`);
  const articles = r.rows.map(toArticle);
  const wanted = [...bigrams(query).keys()];
  if (!wanted.length) return articles.slice(0, limit).map((a) => ({ ...a, score: 0 }));
  const scored = articles.map((a) => {
    const title = bigrams(a.title);
    const tags = bigrams(a.tags.join(' '));
    const body = bigrams(a.body);
    let score = 0;
    for (const g of wanted) score += (title.has(g) ? 3 : 0) + (tags.has(g) ? 2 : 0) + (body.has(g) ? 1 : 0);
    return { ...a, score: score / wanted.length };
  });
  return scored
    .filter((a) => a.score > 0)
    .sort((a, b) => b.score - a.score || b.id - a.id)
    .slice(0, limit);
}
