/**
 * Runs the automated survey jobs. The callbacks row is the source of truth: a job is due
 * when its row is scheduled, automated, due and not held by a live worker (lease). BullMQ
 * (REDIS_URL) drives the timing with delayed jobs; without Redis an embedded scheduler polls
 * the table. In both modes a sweep re-enqueues what the table says is due, so a Redis
 * restart that lost its jobs or a worker that died mid-call loses nothing.
 */
import { Queue, Worker } from 'bullmq';
import { isHotlineError, open } from '../core/index.js';
import type { CallbackOutcome } from '../dispatch/index.js';
import type { Callback } from './schemas.js';
import { type CallbackDeps, failCallback, failExhausted, recordResult, writeFailure } from './store.js';

/** What the citizen did on a survey call: no answer, or answered with a key (or none). */
export interface SurveyAnswer {
  answered: boolean;
  digit?: string;
}
export type SurveyDialer = (phone: string, callbackId: number) => Promise<SurveyAnswer>;

export const KEY_OUTCOMES: Record<string, CallbackOutcome> = { '1': 'satisfied', '2': 'basically_satisfied', '3': 'unsatisfied' };

export type JobResult = 'not_due' | CallbackOutcome | 'retry' | 'failed';

/**
 * Pauses between tries to write a survey result (at most half the lease each). Each try
 * first renews the lease; while the database does not answer, tries go on only as long as
 * the lease taken before the call still holds, so no other worker can call meanwhile.
 */
const RECORD_RETRY_MS = [100, 500, 1000, 2000, 2000];
/** What is kept back from the lease's end for the clocks of this process and the database. */
const LEASE_MARGIN_MS = 500;

/**
 * One attempt of one survey callback: takes the lease (a conditional UPDATE, so two workers
 * never call the same citizen twice at once, and only while attempts remain, so no restart
 * or stray queue job calls beyond CALLBACK_MAX_ATTEMPTS), dials, and records the answer.
 * A result that cannot be written is tried again without calling again; when it still
 * fails the callback goes to the dead letter (failed) with what the citizen answered.
 */
export async function runSurveyJob(
  deps: CallbackDeps,
  id: number,
  dial: SurveyDialer,
  log?: (msg: string, err?: unknown) => void,
): Promise<JobResult> {
  const leasedAt = Date.now();
  const leased = await deps.db.query<{ phone: string | null }>(
    `UPDATE callbacks cb SET lease_until = now() + make_interval(secs => $2), attempts = attempts + 1, last_attempt_at = now(), updated_at = now()
       FROM work_orders w
      WHERE cb.id = $1 AND w.id = cb.work_order_id AND cb.state = 'scheduled' AND cb.mode = 'auto' AND cb.attempts < cb.max_attempts
        AND cb.due_at <= now() + interval '1 second' AND (cb.lease_until IS NULL OR cb.lease_until < now())
      RETURNING w.caller_phone AS phone`,
    [id, deps.settings.leaseMs / 1000],
  );
  const row = leased.rows[0];
  if (!row) return 'not_due';
  let answer: SurveyAnswer = { answered: false };
  try {
    const phone = open(row.phone);
    if (phone) answer = await dial(phone, id);
  } catch (err) {
    log?.(`survey call of callback ${id} failed`, err);
  }
  const outcome = answer.answered && answer.digit ? KEY_OUTCOMES[answer.digit] : undefined;
  const input = {
    outcome: outcome ?? ('unreachable' as const),
    note: outcome ? `自动回访按键 ${answer.digit}` : answer.answered ? '自动回访：接通未按有效键' : '自动回访：未接通',
    user: { id: null, role: 'system' as const },
  };
  let cb: Callback;
  let leaseEnd = leasedAt + deps.settings.leaseMs;
  for (let i = 0; ; i++) {
    try {
      cb = await recordResult(deps, id, input);
      break;
    } catch (err) {
      if (!isHotlineError(err) && i < RECORD_RETRY_MS.length) {
        log?.(`callback ${id}: the survey result could not be written; trying again without calling`, err);
        const renewing = Date.now();
        const lease = await deps.db
          .query(
            `UPDATE callbacks SET lease_until = now() + make_interval(secs => $2) WHERE id = $1 AND state = 'scheduled' RETURNING id`,
            [id, deps.settings.leaseMs / 1000],
          )
          .then((r) => (r.rowCount > 0 ? 'held' : 'lost'))
          .catch(() => 'unknown');
        if (lease === 'held') leaseEnd = renewing + deps.settings.leaseMs;
        const pause = Math.min(RECORD_RETRY_MS[i] as number, deps.settings.leaseMs / 2);
        if (lease !== 'lost' && Date.now() + pause + LEASE_MARGIN_MS < leaseEnd) {
          await new Promise((r) => setTimeout(r, pause));
          continue;
        }
      }
      const reason = writeFailure(input.outcome, err);
      const failed = await failCallback(deps, id, reason, { result: input.outcome }).catch((e) => {
        log?.(`callback ${id}: could not move it to the dead letter either; the attempt limit stops it`, e);
        return null;
      });
      log?.(`callback ${id}${failed ? ` (work order ${failed.workOrderNumber}) moved to 失败/需人工` : ''}: ${reason}`, err);
      return 'failed';
    }
  }
  return cb.state === 'scheduled' ? 'retry' : (cb.outcome as CallbackOutcome);
}

/** Moves automated callbacks that used their attempts without a result to the dead letter, logging each. */
async function deadLetterExhausted(deps: CallbackDeps, log: (msg: string, err?: unknown) => void): Promise<void> {
  for (const cb of await failExhausted(deps)) {
    log(`callback ${cb.id} (work order ${cb.workOrderNumber}) moved to 失败/需人工: ${cb.failureReason}`);
  }
}

/** Automated jobs the table says should run now (due, not held by a live worker). */
async function dueIds(deps: CallbackDeps, horizonMs = 0, limit = 100): Promise<{ id: number; attempts: number; dueAt: Date }[]> {
  const r = await deps.db.query<{ id: number; attempts: number; due_at: string }>(
    `SELECT id, attempts, due_at FROM callbacks
      WHERE state = 'scheduled' AND mode = 'auto' AND attempts < max_attempts AND due_at <= now() + make_interval(secs => $1)
        AND (lease_until IS NULL OR lease_until < now())
      ORDER BY due_at LIMIT $2`,
    [horizonMs / 1000, limit],
  );
  return r.rows.map((x) => ({ id: x.id, attempts: x.attempts, dueAt: new Date(x.due_at) }));
}

export interface Runner {
  mode: 'bullmq' | 'embedded';
  enqueue(id: number, attempts: number, dueAt: Date): void;
  /** One pass over the table now (tests, and after start). */
  sweep(): Promise<void>;
  /** Resolves when no job is running; for a clean stop. */
  stop(): Promise<void>;
  ready(): Promise<{ ok: boolean; detail: string }>;
}

interface RunnerOptions {
  deps: CallbackDeps;
  dial: SurveyDialer;
  log: (msg: string, err?: unknown) => void;
  /** Whether this process runs jobs (a `--role api` process only enqueues). */
  work?: boolean;
}

/** No Redis: polls the table every CALLBACK_POLL_MS and runs what is due, one job at a time per process. */
export function startEmbeddedRunner(o: RunnerOptions): Runner {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let stopped = false;
  const tick = async () => {
    if (busy || stopped || o.work === false) return;
    busy = true;
    try {
      await deadLetterExhausted(o.deps, o.log);
      for (const job of await dueIds(o.deps)) {
        if (stopped) break;
        await runSurveyJob(o.deps, job.id, o.dial, o.log);
      }
    } catch (err) {
      o.log('embedded callback scheduler pass failed', err);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => {
    running = tick();
  }, o.deps.settings.pollMs);
  timer.unref();
  return {
    mode: 'embedded',
    enqueue: () => {
      // The next poll finds it in the table; nothing else to remember.
    },
    sweep: async () => {
      await running;
      running = tick();
      await running;
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
    ready: async () => ({ ok: true, detail: `embedded scheduler, polling every ${o.deps.settings.pollMs} ms` }),
  };
}

/** Redis: one delayed BullMQ job per attempt (jobId callback-<id>-<attempt>), plus the table sweep. */
export function startBullRunner(o: RunnerOptions & { redisUrl: string }): Runner {
  const url = new URL(o.redisUrl);
  const connection = {
    host: url.hostname,
    port: Number(url.port || 6379),
    password: url.password || undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
    // Keep retrying while Redis restarts; the table holds the jobs meanwhile.
    retryStrategy: (n: number) => Math.min(n * 200, 2000),
  };
  const prefix = o.deps.settings.queuePrefix;
  const queue = new Queue('callbacks', { connection, prefix });
  queue.on('error', (err) => o.log('callback queue: Redis error', err));
  let worker: Worker | null = null;
  if (o.work !== false) {
    worker = new Worker('callbacks', async (job) => runSurveyJob(o.deps, Number(job.data.id), o.dial, o.log), {
      connection,
      prefix,
      concurrency: 4,
      // A worker that dies mid-call loses its lock; BullMQ hands the job on, and the lease in the table decides who calls.
      lockDuration: Math.max(5000, Math.min(o.deps.settings.leaseMs, 60_000)),
      stalledInterval: Math.max(5000, Math.min(o.deps.settings.leaseMs, 60_000)),
    });
    worker.on('error', (err) => o.log('callback worker: Redis error', err));
    // A job that throws is dropped by BullMQ (removeOnFail); the sweep re-adds it while the table says it is due.
    worker.on('failed', (job, err) => o.log(`callback job ${job?.id ?? '?'} failed`, err));
  }
  const add = (id: number, attempts: number, dueAt: Date) =>
    queue
      .add(
        'survey',
        { id },
        {
          jobId: `callback-${id}-${attempts}`,
          delay: Math.max(0, dueAt.getTime() - Date.now()),
          removeOnComplete: true,
          removeOnFail: true,
        },
      )
      .catch((err) => o.log(`callback ${id}: could not enqueue (the sweep will retry)`, err));
  let busy: Promise<void> = Promise.resolve();
  const sweep = async () => {
    try {
      await deadLetterExhausted(o.deps, o.log);
      // Jobs due within the next poll period are enqueued with their delay, so timing stays with the queue.
      for (const j of await dueIds(o.deps, o.deps.settings.pollMs, 1000)) await add(j.id, j.attempts, j.dueAt);
    } catch (err) {
      o.log('callback sweep failed', err);
    }
  };
  const timer = setInterval(() => {
    busy = sweep();
  }, o.deps.settings.pollMs);
  timer.unref();
  return {
    mode: 'bullmq',
    enqueue: (id, attempts, dueAt) => void add(id, attempts, dueAt),
    sweep: async () => {
      await busy;
      busy = sweep();
      await busy;
    },
    stop: async () => {
      clearInterval(timer);
      await busy;
      await worker?.close();
      await queue.close();
    },
    ready: async () => {
      try {
        const counts = await queue.getJobCounts('delayed', 'waiting', 'active');
        return { ok: true, detail: `BullMQ on ${url.host}: ${counts.delayed} delayed, ${counts.waiting} waiting, ${counts.active} active` };
      } catch (err) {
        return { ok: false, detail: `Redis ${url.host} unreachable: ${(err as Error).message}; jobs wait in the database` };
      }
    },
  };
}
