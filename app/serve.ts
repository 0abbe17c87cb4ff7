import { prepareSpeechOnStart } from '../asr/first-start.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../org/index.js';
import type { Config } from './config.js';
import { openRuntime, VERSION } from './runtime.js';
import { isEmpty, seed } from './seed.js';
import { buildServer } from './server.js';

const SHUTDOWN_GRACE_MS = 10_000;

/** `npm start` / `hotline serve`: migrate, seed on first start when embedded, serve until a signal. */
export async function serve(config: Config): Promise<void> {
  const rt = await openRuntime(config);
  const shouldSeed = config.seedDemo === 'yes' || (config.seedDemo === 'auto' && !config.databaseUrl);
  let seeded: Awaited<ReturnType<typeof seed>> | undefined;
  if (shouldSeed && (await isEmpty(rt.db))) seeded = await seed(rt.db, { demo: true });
  // Before the server picks its speech engine: the model and the converter it will load
  // (the converter names the organisation's places, so after seeding).
  await prepareSpeechOnStart(config.values, {
    db: rt.db,
    log: (l) => process.stdout.write(`${l}\n`),
    warn: (l) => process.stderr.write(`${l}\n`),
  });
  const app = await buildServer({ config, ctx: { db: rt.db, bus: rt.bus }, version: VERSION });
  const log = app.log;
  const seededNow = seeded !== undefined;
  if (seeded) log.info(seeded, 'seeded the demo organisation');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    timer.unref();
    try {
      await app.close();
      await rt.close();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  const where = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  const db = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  const lines = ['', `12345 Hotline ${VERSION} is running at ${where}`, `  database: ${db}`, `  API documentation: ${where}/docs`];
  if (shouldSeed || seededNow) {
    lines.push(`  demo logins (password ${DEMO_PASSWORD}): ${DEMO_USERS.map((u) => u.username).join(', ')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}
