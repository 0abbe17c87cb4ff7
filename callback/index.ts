/**
 * callback/: the 回访 queue. A case whose reply is accepted gets a callback in the next call
 * window; staff claim and record outcomes, or the automated survey calls and takes a key;
 * outcomes close or reopen the case through dispatch.
 */
import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../core/index.js';
import { describeError, isHotlineError } from '../core/index.js';
import { dispatchSettingsFrom } from '../dispatch/index.js';
import './events.js';
import { callbackRoutes } from './routes.js';
import { type Runner, type SurveyDialer, startBullRunner, startEmbeddedRunner } from './runner.js';
import { type CallbackSettings, type CallbackSettingValues, callbackSettingsFrom } from './settings.js';
import { type CallbackDeps, type ClickToCall, HOLDING, scheduleForCase } from './store.js';
import { type PlaceCall, readPrompt, surveyDialer } from './survey.js';

export { CallbackErrors } from './errors.js';
export type { CallbackEvent } from './events.js';
export { nextCallTime, retryTime, sampled } from './policy.js';
export { forgetNotesOfAnonymisedCases } from './retention.js';
export { callbackRoutes } from './routes.js';
export {
  KEY_OUTCOMES,
  type Runner,
  runSurveyJob,
  type SurveyAnswer,
  type SurveyDialer,
  startBullRunner,
  startEmbeddedRunner,
} from './runner.js';
export { type Callback, type CallbackCall, CallbackCallSchema, CallbackSchema } from './schemas.js';
export {
  CALLBACK_SETTINGS,
  type CallbackSettings,
  type CallbackSettingValues,
  callbackSettingsFrom,
  parseSampling,
  parseWindows,
} from './settings.js';
export {
  type CallbackDeps,
  type ClickToCall,
  callCitizen,
  claimCallback,
  failCallback,
  getCallback,
  listCallbacks,
  OUTCOME_NAMES_ZH,
  OUTCOMES,
  recordResult,
  retryCallback,
  scheduleForCase,
  takeOverCallback,
} from './store.js';
export { type PlaceCall, readPrompt, surveyDialer, surveyTarget } from './survey.js';

export interface CallbackService {
  deps: CallbackDeps;
  runner: Runner;
  settings: CallbackSettings;
  /**
   * Schedules the callbacks of cases in callback_pending that have none: the event came
   * before a restart, or scheduling failed after the review committed. Runs at start and
   * every CALLBACK_RECONCILE_MS; returns how many cases it found.
   */
  catchUp(): Promise<number>;
}

/**
 * Mounts the routes, schedules a callback whenever a reply is accepted, and starts the job
 * runner (BullMQ with REDIS_URL, else the embedded scheduler); stopped on close.
 */
export async function registerCallback(
  app: FastifyInstance,
  ctx: ModuleContext,
  values: CallbackSettingValues & Parameters<typeof dispatchSettingsFrom>[0],
  opts: { placeCall?: () => PlaceCall | undefined; callOut?: () => ClickToCall | undefined; dial?: SurveyDialer; work?: boolean } = {},
): Promise<CallbackService> {
  const settings = callbackSettingsFrom(values);
  const log = ctx.log.child({ module: 'callback' });
  const logErr = (msg: string, err?: unknown) => log.error({ err: err ? describeError(err) : undefined }, msg);
  const deps: CallbackDeps = { db: ctx.db, bus: ctx.bus, settings, dispatch: dispatchSettingsFrom(values), callOut: opts.callOut };
  let prompt: Buffer | undefined;
  if (settings.mode === 'auto') {
    try {
      prompt = readPrompt(settings.surveyWav);
    } catch (err) {
      log.warn(`${describeError(err)}; survey calls play no question`);
    }
  }
  const dial: SurveyDialer =
    opts.dial ??
    (async (phone, id) => {
      const place = opts.placeCall?.();
      if (!place || !settings.surveyUri) {
        log.warn(`callback ${id}: no SIP endpoint or CALLBACK_SURVEY_URI for survey calls; counted as unanswered`);
        return { answered: false };
      }
      return surveyDialer({ placeCall: place, uriTemplate: settings.surveyUri, prompt, answerMs: settings.answerMs })(phone, id);
    });
  const runnerOpts = { deps, dial, log: logErr, work: opts.work };
  const runner = settings.redisUrl ? startBullRunner({ ...runnerOpts, redisUrl: settings.redisUrl }) : startEmbeddedRunner(runnerOpts);
  deps.enqueue = runner.enqueue;

  const unsubscribe = ctx.bus.subscribe('workorder.changed', (e) => {
    if (e.toState !== 'callback_pending') return;
    return scheduleForCase(deps, e.id).then(
      () => {},
      (err) => logErr(`could not schedule the callback of work order ${e.id}`, err),
    );
  });
  const catchUp = async () => {
    const r = await ctx.db.query<{ id: number }>(
      `SELECT w.id FROM work_orders w WHERE w.state = 'callback_pending'
         AND NOT EXISTS (SELECT 1 FROM callbacks cb WHERE cb.work_order_id = w.id AND cb.state IN ${HOLDING})`,
    );
    for (const row of r.rows) {
      await scheduleForCase(deps, row.id).then(
        (done) =>
          log.warn(
            `work order ${row.id} was waiting for its callback without one: ${'skipped' in done ? `closed (${done.skipped})` : `callback ${done.callback.id} scheduled`} by the reconcile`,
          ),
        // Another process (or the bus listener) got there first: the case is no longer waiting.
        (err) => (isHotlineError(err) && err.statusCode === 409 ? undefined : logErr(`reconcile of work order ${row.id}`, err)),
      );
    }
    return r.rows.length;
  };
  await catchUp().catch((err) => logErr('callback catch-up failed', err));
  // The bus listener runs after the review's commit; whatever it missed is found here within one period.
  let reconciling: Promise<unknown> | null = null;
  let stopped = false;
  const reconcileTimer = setInterval(() => {
    if (reconciling || stopped) return;
    reconciling = catchUp()
      .catch((err) => logErr('callback reconcile failed', err))
      .finally(() => {
        reconciling = null;
      });
  }, settings.reconcileMs);
  reconcileTimer.unref();
  await app.register(callbackRoutes, { deps });
  ctx.addReadinessCheck('callbacks', () => runner.ready());
  app.addHook('onClose', async () => {
    unsubscribe();
    stopped = true;
    clearInterval(reconcileTimer);
    await reconciling;
    await runner.stop();
  });
  return { deps, runner, settings, catchUp };
}
