/** Shapes of the API the desk reads (see /docs for the full schemas). */
import type { Role } from '../../core/browser.js';

export type { Role };

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  orgUnitId: number | null;
  active: boolean;
}

export interface OrgUnit {
  id: number;
  code: string;
  name: string;
  kind: string;
  parentId: number | null;
  aliases: string[];
  active: boolean;
}

export interface Category {
  id: number;
  code: string;
  name: string;
  parentId: number | null;
  level: number;
  defaultDepartmentId: number | null;
  deadlineValue: number | null;
  deadlineUnit: 'hours' | 'workdays' | null;
  active: boolean;
}

export interface WorkOrder {
  id: number;
  number: string;
  channel: string;
  state: string;
  stateName: string;
  callerName: string | null;
  callerPhone: string | null;
  address: string | null;
  description: string;
  callId: number | null;
  categoryId: number | null;
  categoryName: string | null;
  departmentId: number | null;
  departmentName: string | null;
  priority: string;
  emergency: boolean;
  proposal: { categoryId: number | null; departmentId: number | null; modelVersion: string | null } | null;
  instructions: string | null;
  deadlineAt: string | null;
  nearDeadline: boolean;
  overdue: boolean;
  replyText: string | null;
  callbackOutcome: string | null;
  reopenCount: number;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  version: number;
  allowedActions?: string[];
  /** Detail view: the caller's data is masked because this user does not work on the case. */
  piiMasked?: boolean;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** One step of a category's place in the catalogue, from the top (城市管理事项 › 市容环境类 › 露天烧烤). */
export interface CategoryStep {
  code: string;
  name: string;
}

/** Why the proposal names its department (see classifier/routes.ts ClassifyResultSchema). */
export type DepartmentSource = 'override' | 'category' | 'correction' | 'none';

/** A street, community or grid of the organisation tree. */
export interface Place {
  unitId: number;
  kind: string;
  name: string;
}

export interface ClassifyResult {
  id: string | null;
  /** Code of the proposed leaf category, e.g. U06029 (露天烧烤). */
  category: string | null;
  categoryName: string | null;
  categoryId: number | null;
  path: CategoryStep[];
  department: string | null;
  departmentName: string | null;
  departmentId: number | null;
  departmentSource: DepartmentSource;
  /** Where the address sent with the request falls, when it resolved. */
  place: Place | null;
  emergency: { is: boolean; line: '110' | '119' | '120' | null; reason: string | null; score: number | null };
  top: { category: string; name: string | null; p: number; path: CategoryStep[] }[];
  topLevel: { category: string; name: string | null; p: number } | null;
  evidence: { keywords: string[]; corrections: number };
  model: string | null;
}

export interface Segment {
  leg: 'caller' | 'agent';
  seq: number;
  text: string;
  final: boolean;
  startMs?: number | null;
  endMs?: number | null;
}

/** The words a proposal was heard in (intake/routes.ts QuoteSchema). */
export interface IntakeQuote {
  /** Index into the segments sent. */
  segment: number;
  /** Character offsets in that segment's text (end exclusive). */
  start: number;
  end: number;
  text: string;
  atMs?: number;
  segmentId?: string | number;
}

export interface Proposed<T> {
  value: T;
  from: IntakeQuote;
  more?: IntakeQuote[];
}

export type RequestType = '咨询' | '求助' | '投诉' | '举报' | '建议';

/** POST /api/intake/propose: the intake form's fields heard in the call; a field not heard is absent. */
export interface IntakeProposal {
  phone?: Proposed<string> & { kind: 'mobile' | 'landline' };
  address?: Proposed<string> & { place?: Place | null };
  name?: Proposed<{ surname: string; display: string; full?: string; gender?: 'female' | 'male' }>;
  requestType?: Proposed<RequestType>;
  anonymous?: Proposed<true>;
}
