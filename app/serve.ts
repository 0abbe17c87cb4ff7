import { prepareSpeechOnStart } from '../asr/index.js';
import { resealTotpSecrets, verifyPassword } from '../auth/index.js';
import type { Db } from '../db/index.js';
import { resealCases } from '../dispatch/index.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../org/index.js';
import { resealCalls, resealReferrals, resealTranscripts } from '../telephony/index.js';
import type { Config } from './config.js';
import { openRuntime, VERSION } from './runtime.js';
import { createFirstAdmin, isEmpty, seed } from './seed.js';
import { buildServer } from './server.js';

const SHUTDOWN_GRACE_MS = 10_000;

export interface ServeOptions {
  /** `--demo` (or SEED_DEMO=yes): the demo district and its users with the published password. */
  demo?: boolean;
  /** The first admin's password (HOTLINE_ADMIN_PASSWORD, --admin-password-file); generated when absent. */
  adminPassword?: string;
}

/**
 * `npm start` / `hotline serve`: migrate, set up a database that has no user yet, serve
 * until a signal. A real start creates one `admin` (password given or generated, to be
 * changed at the first login); only `--demo` creates the demo district's known logins.
 */
export async function serve(config: Config, options: ServeOptions = {}): Promise<void> {
  const rt = await openRuntime(config);
  const demo = options.demo === true || config.seedDemo === 'yes';
  const banner: string[] = [];
  let seeded: Awaited<ReturnType<typeof seed>> | undefined;
  const empty = await isEmpty(rt.db);
  if (empty && demo) {
    seeded = await seed(rt.db, { demo: true });
  } else if (empty) {
    // The catalogue is public knowledge; a database given by DATABASE_URL is left to `hotline seed`.
    if (!config.databaseUrl) await seed(rt.db, { demo: false });
    const admin = await createFirstAdmin(rt.db, options.adminPassword);
    // Straight to the console, never through the logger: log files and collectors keep what they get.
    banner.push(
      admin.generated
        ? `  first login: user ${admin.username}, password ${admin.password}  (shown only this once; change it at the first login)`
        : `  first login: user ${admin.username} with the password you gave (change it at the first login)`,
    );
  } else if (options.adminPassword !== undefined) {
    banner.push('  the admin password given was not used: the database already has users (hotline user reset admin to set one)');
  }
  if (!demo) banner.push(...(await demoPasswordWarning(rt.db)));
  // Before the server picks its speech engine: the model and the converter it will load
  // (the converter names the organisation's places, so after seeding).
  await prepareSpeechOnStart(config.values, {
    db: rt.db,
    log: (l) => process.stdout.write(`${l}\n`),
    warn: (l) => process.stderr.write(`${l}\n`),
  });
  const app = await buildServer({ config, ctx: { db: rt.db, bus: rt.bus }, version: VERSION });
  const log = app.log;
  // Rows from before sealing (an upgrade) or of a rotated key: resealed while serving.
  void Promise.all([
    resealCases(rt.db),
    resealCalls(rt.db),
    resealTranscripts(rt.db),
    resealReferrals(rt.db),
    resealTotpSecrets(rt.db),
  ]).then(
    ([cases, calls, segments, referrals, totp]) =>
      (cases || calls || segments || referrals || totp) &&
      log.info({ cases, calls, segments, referrals, totp }, 'sealed personal fields with the current data key'),
    (err) => log.error({ err }, 'sealing personal fields failed; run hotline data rekey'),
  );
  if (seeded) log.info(seeded, 'seeded the demo organisation');
  else if (empty) log.info({ user: 'admin' }, 'created the first admin (its password is not logged)');

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
  if (demo) {
    lines.push(
      `  DEMO: demo logins (password ${DEMO_PASSWORD}, published, never asked to change): ${DEMO_USERS.map((u) => u.username).join(', ')}`,
      '  this is the demo district for trying the product out, not a real install: start without --demo (and SEED_DEMO) for that',
    );
  }
  lines.push(...banner);
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

/**
 * Users of the demo's names that still have the published password on a real start
 * (a database seeded as a demo by an earlier version, which did so by default).
 */
async function demoPasswordWarning(db: Db): Promise<string[]> {
  const r = await db.query<{ username: string; password_hash: string }>(
    'SELECT username, password_hash FROM users WHERE active AND username = ANY($1::text[])',
    [DEMO_USERS.map((u) => u.username)],
  );
  const known: string[] = [];
  for (const u of r.rows) if (await verifyPassword(DEMO_PASSWORD, u.password_hash)) known.push(u.username);
  if (!known.length) return [];
  return [
    `  WARNING: ${known.join(', ')} still have the published demo password ${DEMO_PASSWORD}: anyone can log in as them.`,
    '  Change it (hotline user reset USERNAME) or disable them (hotline user disable USERNAME).',
  ];
}
