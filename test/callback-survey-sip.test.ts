/**
 * The automated survey end to end over real SIP/RTP: the server's SIP endpoint calls a sipp
 * UAS standing in for the citizen, plays the recorded question, and the UAS presses 1
 * (RFC 4733 events from SIPp's captures): 满意 is recorded and the case closes.
 * Embedded scheduler (no Redis), PGlite.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { acceptedReply, callbackOf, caseState, until } from './helpers/cases.js';
import { freePort, SHARED, sippServer, startTelServer, type TelServer, WORK } from './sip/harness.js';

let s: TelServer;
let uasPort: number;
let uas: ReturnType<typeof sippServer>;

before(async () => {
  uasPort = await freePort();
  const xml = readFileSync(new URL('../callback/sipp/uas-survey-key.xml', import.meta.url), 'utf8').replaceAll(
    '{{KEY_PCAP}}',
    join(SHARED, 'telephony/dtmf_2833_1.pcap'),
  );
  const file = join(WORK, `survey-${uasPort}.xml`);
  writeFileSync(file, xml);
  uas = sippServer({ port: uasPort, scenario: file, extra: ['-m', '1'] });
  s = await startTelServer('pglite', {
    DISPATCH_DEADLINE_CHECK_SECONDS: '0',
    CALLBACK_MODE: 'auto',
    CALLBACK_HOURS: '00:00-24:00',
    CALLBACK_WORKDAYS_ONLY: 'false',
    CALLBACK_POLL_MS: '200',
    CALLBACK_ANSWER_SECONDS: '15',
    CALLBACK_SURVEY_URI: `sip:{phone}@127.0.0.1:${uasPort}`,
  });
});
after(async () => {
  await s?.close();
  await uas?.stop();
});

test('a survey call answered with key 1 records 满意 and closes the case', async () => {
  const wo = await acceptedReply(s, { phone: '13812348000' });
  const cb = await callbackOf(s, wo);
  assert.equal(cb.mode, 'auto');
  const row = await until(
    async () => {
      const r = (
        await s.db.query<{ state: string; outcome: string; attempts: number; note: string }>('SELECT * FROM callbacks WHERE id = $1', [
          cb.id,
        ])
      ).rows[0];
      return r && r.state !== 'scheduled' ? r : undefined;
    },
    40_000,
    `the survey result (sipp: ${uas.output().slice(-500)})`,
  );
  assert.equal(row.state, 'done');
  assert.equal(row.outcome, 'satisfied', row.note);
  assert.equal(row.attempts, 1);
  const c = await caseState(s, wo);
  assert.equal(c?.state, 'closed');
  assert.equal(c?.callback_outcome, 'satisfied');
});
