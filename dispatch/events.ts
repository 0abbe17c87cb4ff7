/** The events dispatch publishes on the bus (see core/events.ts). */
import type { Action, State } from './states.js';

export interface WorkOrderChanged {
  id: number;
  number: string;
  /** 'create' for a new case, else the transition's action. */
  action: Action | 'create';
  fromState: State | null;
  toState: State;
  departmentId: number | null;
  actorId: number | null;
  /** The audit row written with the change. */
  eventId: number;
}

export interface WorkOrderDeadline {
  id: number;
  number: string;
  departmentId: number | null;
  flag: 'near_deadline' | 'overdue';
  deadlineAt: string;
}

declare module '../core/events.js' {
  interface HotlineEvents {
    'workorder.changed': WorkOrderChanged;
    'workorder.deadline': WorkOrderDeadline;
  }
}
