/**
 * Shapes of the API the desk reads: the server's own types, the Static<> of the schemas its
 * routes answer with (or the event a live channel carries), so a field renamed on the server
 * fails the desk's type check. Imports are `import type` only: the browser bundle pulls no
 * server code.
 */
import type { ClassifyResult } from '../../classifier/index.js';
import type { IntakeProposalResponse } from '../../intake/index.js';
import type { TranscriptEvent } from '../../telephony/index.js';

export type { LoginNext, LoginResponse, User } from '../../auth/index.js';
export type { Callback, CallbackCall } from '../../callback/index.js';
export type { ClassifyRequest, ClassifyResult, EmergencyRuleResponse, ModelSwitch, ModelVersionResponse } from '../../classifier/index.js';
export type { Role } from '../../core/browser.js';
export type {
  CalendarDayView,
  CreatedWorkOrder,
  CreateWorkOrderRequest,
  HistoryEntry,
  KnowledgeArticle,
  RelatedCase,
  RoutingOverrideView,
  WorkOrder,
  WorkOrderDetail,
  WorkOrderPage,
} from '../../dispatch/index.js';
/** The watch's alert as the live channel carries it (emergency.alert); the REST list answers EmergencyAlertResponse. */
export type { EmergencyAlert, EmergencyAlertResponse, EmergencyTransferRequest } from '../../emergency/index.js';
export type { IntakeProposalRequest, IntakeQuote } from '../../intake/index.js';
export type { Category, OrgUnit } from '../../org/index.js';
export type { AgentState, Call, CallDetail, TranscriptEvent } from '../../telephony/index.js';

/** One step of a category's place in the catalogue, from the top (城市管理事项 › 市容环境类 › 露天烧烤). */
export type CategoryStep = ClassifyResult['path'][number];

/** POST /api/intake/propose: the intake form's fields heard in the call; a field not heard is absent. */
export type IntakeProposal = IntakeProposalResponse;

/** A transcript line as the desk shows it: the call.transcript event without its call id (stored segments fit it too). */
export type Segment = Omit<TranscriptEvent, 'callId'>;
