import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/index.js';
import type { EventBus } from './events.js';

export type ReadinessCheck = () => Promise<{ ok: boolean; detail?: string }>;

/** What the composition root hands every module: its database, the bus, a logger and /readyz. */
export interface ModuleContext {
  db: Db;
  bus: EventBus;
  log: FastifyBaseLogger;
  /** Adds a component to /readyz (e.g. `asr`: which engine, or why none). Informational only. */
  addReadinessCheck(name: string, check: ReadinessCheck): void;
}
