/**
 * The tables of org/ that other modules may read in their own SQL (joins, figures): org
 * keeps these columns' names and meaning stable for them, as it would a view's. Every other
 * table of org is private to it; writes go through org's functions always
 * (test/contracts.test.ts checks both).
 */
export const PUBLISHED_TABLES = ['org_units', 'categories'] as const;
