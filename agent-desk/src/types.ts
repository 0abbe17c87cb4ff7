/** Shapes of the API the desk reads (see /docs for the full schemas). */
import type { Role } from '../../core/roles.js';

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
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ClassifyResult {
  category: string | null;
  categoryName: string | null;
  categoryId: number | null;
  department: string | null;
  departmentName: string | null;
  departmentId: number | null;
  emergency: { is: boolean; line: string | null; reason: string | null };
  top: { category: string; name: string | null; p: number }[];
  model: string | null;
}

export interface Segment {
  leg: 'caller' | 'agent';
  seq: number;
  text: string;
  final: boolean;
}
