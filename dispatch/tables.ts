/**
 * The tables of dispatch/ that other modules may read in their own SQL (joins, figures): dispatch
 * keeps these columns' names and meaning stable for them, as it would a view's. Every other
 * table of dispatch is private to it; writes go through dispatch's functions always
 * (test/contracts.test.ts checks both).
 */
export const PUBLISHED_TABLES = ['work_orders', 'work_order_events'] as const;
