/**
 * The tables of telephony/ that other modules may read in their own SQL (joins, figures): telephony
 * keeps these columns' names and meaning stable for them, as it would a view's. Every other
 * table of telephony is private to it; writes go through telephony's functions always
 * (test/contracts.test.ts checks both).
 */
export const PUBLISHED_TABLES = ['calls', 'transcript_segments', 'agent_states', 'referrals'] as const;
