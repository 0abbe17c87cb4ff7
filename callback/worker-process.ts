/**
 * A survey worker as its own process (what `--role worker` runs): takes BullMQ jobs and calls
 * citizens. Reads DATABASE_URL, REDIS_URL, DATA_KEY and the CALLBACK_* settings. With
 * CALLBACK_TEST_HANG=1 its calls never end: the worker-killed-mid-job test kills it there.
 */
import { createLocalBus, keyringFrom, parseDataKey, readSettings, setDataKeyring, zoneOffsetMinutes } from '../core/index.js';
import { openDb } from '../db/index.js';
import { DISPATCH_SETTINGS, dispatchSettingsFrom } from '../dispatch/index.js';
import { startBullRunner } from './runner.js';
import { CALLBACK_SETTINGS, callbackSettingsFrom } from './settings.js';

const env = process.env;
if (!env.DATABASE_URL || !env.REDIS_URL) {
  console.error('worker-process needs DATABASE_URL and REDIS_URL');
  process.exit(2);
}
// The callers' numbers are sealed: the worker opens them with the site's key, as the server does.
if (env.DATA_KEY) setDataKeyring(keyringFrom(parseDataKey(env.DATA_KEY)));
const db = await openDb({ url: env.DATABASE_URL, poolSize: 2 });
const settings = callbackSettingsFrom({ ...readSettings(CALLBACK_SETTINGS, env), REDIS_URL: env.REDIS_URL });
// Dispatch's settings from the same environment as the server's, in the centre's time zone
// (app/config.ts resolves it the same way), so closing and reopening count the same days.
const timezone = env.CENTRE_TIMEZONE?.trim();
const dispatch = dispatchSettingsFrom({
  ...readSettings(DISPATCH_SETTINGS, env),
  ...(timezone ? { DISPATCH_UTC_OFFSET_MINUTES: zoneOffsetMinutes(timezone) } : {}),
});
const deps = { db, bus: createLocalBus(), settings, dispatch };
const runner = startBullRunner({
  deps,
  redisUrl: env.REDIS_URL,
  log: (m, err) => console.error(m, err),
  dial: async (_phone, id) => {
    console.log(`dialing ${id}`);
    if (env.CALLBACK_TEST_HANG === '1') return new Promise(() => {});
    return { answered: false };
  },
});
console.log('worker ready');
process.on('SIGTERM', () => {
  void runner
    .stop()
    .then(() => db.close())
    .then(() => process.exit(0));
});
