/**
 * Shapes the agent view keeps itself: the intake form's values. What it reads from the
 * server (AgentState, CallDetail, the watch's EmergencyAlert, KnowledgeArticle) are the
 * server's types, from ../../types.ts.
 */
/** The watch's alert as the live channel carries it (emergency.alert). */
export type { AgentState, CallDetail, EmergencyAlert as LiveAlert, KnowledgeArticle } from '../../types.js';

/** The intake form's values (also its draft). */
export interface Intake {
  callerName?: string;
  callerPhone?: string;
  address?: string;
  /** The caller asked not to be named: the work order keeps no name and the department sees no number. */
  anonymous?: boolean;
  description?: string;
  categoryId?: number;
  departmentId?: number;
  answer?: string;
}
