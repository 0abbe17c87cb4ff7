/** Shapes the agent view reads and keeps: the phone, the call, the watch's alert and the intake form. */

/** GET /api/agents/me/state. */
export interface AgentState {
  state: string;
  since: string;
  callId: number | null;
  offeredCallId: number | null;
}

/** GET /api/calls/:id. */
export interface CallDetail {
  id: number;
  callerNumber: string | null;
  state: string;
  emergency: boolean;
  transcript: { leg: 'caller' | 'agent'; seq: number; text: string; final: boolean; startMs: number | null; endMs?: number | null }[];
}

/** What the emergency watch publishes when a transcript segment or note needs 110/119/120. */
export interface LiveAlert {
  callId: number | null;
  line: '110' | '119' | '120';
  reason: string;
  matched: string[];
  text: string;
  autoTransfer: boolean;
}

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

/** GET /api/knowledge. */
export interface KnowledgeArticle {
  id: number;
  title: string;
  body: string;
}
