/**
 * The tables of auth/ that other modules may read in their own SQL (joins, figures): auth
 * keeps these columns' names and meaning stable for them, as it would a view's. Every other
 * table of auth is private to it; writes go through auth's functions always
 * (test/contracts.test.ts checks both).
 */
export const PUBLISHED_TABLES = ['users'] as const;
