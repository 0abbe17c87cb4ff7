/**
 * The modules the server mounts. Each is a Fastify plugin from a module's index.ts;
 * adding a module is one entry here.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { eventsChannel, staticApp } from '../agent-desk/index.js';
import { registerAsr } from '../asr/index.js';
import { auditRoutes } from '../audit/index.js';
import { authRoutes, authSettingsFrom } from '../auth/index.js';
import { registerCallback } from '../callback/index.js';
import { registerClassifier } from '../classifier/index.js';
import type { ModuleContext } from '../core/index.js';
import { dispatchSettingsFrom, proposalRoute, registerDispatch } from '../dispatch/index.js';
import { registerEmergency } from '../emergency/index.js';
import { intakeRoutes } from '../intake/index.js';
import { metricsOptionsFrom, metricsRoutes } from '../metrics/index.js';
import { orgRoutes } from '../org/index.js';
import { retentionPolicyFrom, startRetentionSweep } from '../retention/index.js';
import { registerTelephony } from '../telephony/index.js';
import type { Config } from './config.js';

export interface ModuleSpec {
  name: string;
  /** Modules that must be mounted before this one (it uses what they register or decorate). */
  dependencies?: readonly string[];
  /** Decorators of the Fastify instance this module reads at mount time (`app.classifier`...). */
  decorators?: readonly string[];
  register(app: FastifyInstance, ctx: ModuleContext, config: Config): Promise<void>;
}

export const MODULES: ModuleSpec[] = [
  {
    name: 'auth',
    register: async (app, ctx, config) => {
      await app.register(authRoutes, {
        ctx,
        sessionTtlHours: config.sessionTtlHours,
        loginRateLimit: config.loginRateLimit,
        cookieSecure: config.cookieSecure,
        settings: authSettingsFrom(config.values),
      });
    },
  },
  // The personal-data access log that dispatch and telephony write to (GET /api/audit/pii-access).
  { name: 'audit', dependencies: ['auth'], register: async (app, ctx) => void (await app.register(auditRoutes, { ctx })) },
  { name: 'org', dependencies: ['auth'], register: async (app, ctx) => void (await app.register(orgRoutes, { ctx })) },
  {
    name: 'classifier',
    dependencies: ['auth', 'org'],
    // The proposal's department is dispatch's routing: the category's unit, or a place
    // override for the street/community/grid the address resolves to.
    register: async (app, ctx, config) => {
      await registerClassifier(app, ctx, config, proposalRoute(dispatchSettingsFrom(config.values)));
    },
  },
  {
    name: 'dispatch',
    dependencies: ['auth', 'org'],
    register: async (app, ctx, config) => void (await registerDispatch(app, ctx, config.values)),
  },
  { name: 'intake', dependencies: ['auth', 'org'], register: async (app, ctx) => void (await app.register(intakeRoutes, { ctx })) },
  // Before telephony: it decorates app.asr, the engine the media bridge streams call audio to.
  { name: 'asr', dependencies: ['auth'], register: async (app, ctx, config) => void (await registerAsr(app, ctx, config.values)) },
  // SIP endpoint, call queue and media bridge; stops (hanging up live calls) on close.
  {
    name: 'telephony',
    dependencies: ['auth', 'asr'],
    decorators: ['asr'],
    register: async (app, ctx, config) => void (await registerTelephony(app, ctx, config.values)),
  },
  // After telephony: alerts on its transcript events, transfers through its call centre.
  {
    name: 'emergency',
    dependencies: ['classifier', 'asr', 'telephony'],
    decorators: ['classifier', 'asr', 'telephony'],
    register: async (app, ctx, config) => void (await registerEmergency(app, ctx, config.values)),
  },
  // After dispatch (it schedules on accepted replies) and telephony (survey calls use its SIP endpoint).
  {
    name: 'callback',
    // Reads app.telephony only when a call is placed, so it mounts without telephony too.
    dependencies: ['dispatch'],
    register: async (app, ctx, config) => {
      await registerCallback(app, ctx, config.values, {
        placeCall: () => {
          const sip = app.telephony?.sip;
          return sip ? (uri, o) => sip.call(uri, o) : undefined;
        },
        // Click-to-call from the callback queue: a live call of the staff member, audio on the desk.
        callOut: () => {
          const center = app.telephony?.center;
          return center ? (o) => center.callOut(o) : undefined;
        },
      });
    },
  },
  {
    name: 'metrics',
    dependencies: ['auth'],
    register: async (app, ctx, config) => {
      await app.register(metricsRoutes, { ctx, ...metricsOptionsFrom(config.values, config.timezone) });
    },
  },
  {
    name: 'retention',
    dependencies: ['auth'],
    // Last of the data modules: it removes what the policy no longer keeps from theirs.
    register: async (app, ctx, config) => {
      const stop = startRetentionSweep(ctx, retentionPolicyFrom(config.values));
      app.addHook('onClose', async () => stop());
    },
  },
  {
    name: 'agent-desk',
    dependencies: ['auth'],
    register: async (app, ctx, config) => {
      await app.register(eventsChannel, { ctx, idleMinutes: config.values.SESSION_IDLE_MINUTES });
      await app.register(staticApp, { distDir: config.values.DESK_DIST_DIR });
    },
  },
];

/**
 * Mounts the modules in order, each as a named fastify-plugin with its declared dependencies
 * and decorators, so Fastify itself refuses a wrong order at start ("The dependency 'hotline-
 * classifier' of plugin 'hotline-emergency' is not registered") instead of a module finding
 * `app.classifier` undefined later. Plugins are not encapsulated: decorators reach the root.
 */
export async function registerModules(app: FastifyInstance, ctx: ModuleContext, config: Config, modules = MODULES) {
  for (const m of modules) {
    const plugin = fp(async (instance: FastifyInstance) => m.register(instance, ctx, config), {
      name: pluginName(m.name),
      fastify: '5.x',
      dependencies: (m.dependencies ?? []).map(pluginName),
      decorators: m.decorators?.length ? { fastify: [...m.decorators] } : undefined,
    });
    await app.register(plugin);
  }
}

export const pluginName = (module: string) => `hotline-${module}`;
