/**
 * dispatch: work orders and their case flow, routing, deadlines, supervision, knowledge
 * base and Open311. Other modules (callback/, classifier/) use what is exported here.
 */
import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../core/index.js';
import { startDeadlineChecker } from './deadlines.js';
import { dispatchRoutes, open311Routes } from './routes/index.js';
import { type DispatchSettings, type DispatchSettingValues, dispatchSettingsFrom } from './settings.js';

export type { DayKind, DeadlineRule, WorkCalendar } from './calendar.js';
export { addWorkdays, addWorkingMs, computeDeadline, deadlineUsed, isWorkday, workingMsBetween } from './calendar.js';
export { type CalendarDay, listCalendarYear, loadCalendar, replaceCalendarYear } from './calendar-store.js';
export { checkDeadlines, type DeadlineCheck } from './deadlines.js';
export { DispatchErrors } from './errors.js';
export type { WorkOrderChanged, WorkOrderDeadline } from './events.js';
export { searchArticles } from './knowledge.js';
export { resealCases } from './personal-data.js';
export { anonymiseClosedCases, countAuditToRemove, countCasesToAnonymise, removeOldAudit } from './retention.js';
export { proposalRoute, resolvePlace, resolveRoute } from './routing.js';
export type {
  CalendarDayView,
  CreatedWorkOrder,
  CreateWorkOrderRequest,
  DeadlineCheckResult,
  HistoryEntry,
  KnowledgeArticle,
  PendingExtension,
  RelatedCase,
  RouteResolution,
  RoutingOverrideView,
  TransitionResponse,
  WorkOrderDetail,
  WorkOrderPage,
} from './schemas.js';
export {
  DEFAULT_DISPATCH_SETTINGS,
  DISPATCH_SETTINGS,
  type DispatchSettings,
  type DispatchSettingValues,
  dispatchSettingsFrom,
} from './settings.js';
export {
  ACTIONS,
  type Action,
  allowedActions,
  CHANNELS,
  type Channel,
  FINAL_STATES,
  PRIORITIES,
  type Priority,
  RULES,
  STATE_NAMES_ZH,
  STATES,
  type State,
} from './states.js';
export { applyTransition, CALLBACK_OUTCOMES, type CallbackOutcome, type TransitionInput, type TransitionResult } from './transitions.js';
export { type Actor, createWorkOrder, findRelated, getWorkOrder, listWorkOrders, type NewWorkOrder, type WorkOrder } from './workorders.js';

/**
 * Mounts the API and Open311 and starts the scheduled deadline check (stopped on close).
 * `values` are the parsed settings (config.values).
 */
export async function registerDispatch(
  app: FastifyInstance,
  ctx: ModuleContext,
  values: Partial<DispatchSettingValues>,
): Promise<DispatchSettings> {
  const settings = dispatchSettingsFrom(values);
  await app.register(dispatchRoutes, { ctx, settings });
  await app.register(open311Routes, { ctx, settings, prefix: '/open311/v2' });
  const checker = startDeadlineChecker(ctx.db, ctx.bus, settings, (err) => ctx.log.error({ err }, 'deadline check failed'));
  ctx.addReadinessCheck('dispatch', async () => checker.status());
  app.addHook('onClose', async () => {
    await checker.stop();
  });
  return settings;
}
