/**
 * The tables of callback/ that other modules may read in their own SQL (joins, figures): callback
 * keeps these columns' names and meaning stable for them, as it would a view's. Every other
 * table of callback is private to it; writes go through callback's functions always
 * (test/contracts.test.ts checks both).
 */
export const PUBLISHED_TABLES = ['callbacks'] as const;
