/**
 * An emergency phrase spoken in a sipp call, end to end with nothing injected: sipp plays a
 * real Mandarin recording as PCMU RTP, the default sherpa engine (the shared pinyin transducer
 * and the hotline's converter) transcribes it, the final segment goes through the shipped
 * emergency rules, the alert reaches the agent's and the supervisor's desk channels, the
 * agent's one click transfers the call to a sipp UAS standing in for the emergency line, and
 * the referral is stored.
 *
 * The phrase: aishell-sample_BAC009S0252W0436.wav says 一男子持刀在三里屯将一男一女两名路人扎伤,
 * which the sherpa engine hears over this SIP path as 一男子持刀在三里团家一男英语两名路人渣生 (the
 * emergency words right; PocketSphinx heard none of them); 持刀 is a shipped rule (110). The
 * caller says it twice, 1.5 s apart, as a frightened caller does. The engine's keyword spotter
 * listens for the rules' phrases in the audio too, so the alert may come from it (detectedBy
 * speech) a little before the final segment.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { scenario, sipp, startWithEmergencyLine, type TelServer, ulawWav, until } from './sip/harness.js';

let s: TelServer;
let line: Awaited<ReturnType<typeof startWithEmergencyLine>>;

before(async () => {
  line = await startWithEmergencyLine('110', { ASR_ENGINE: 'sherpa', ASR_POOL_SIZE: '2' });
  s = line.s;
});
after(async () => {
  await line?.close();
});

test('a caller saying 持刀 is heard by the recogniser, alerts the agent and the wallboard, and is transferred to 110', async () => {
  const agentDesk = await line.desk('agent');
  const wallboard = await line.desk('supervisor');
  const finals: string[] = [];
  const offTranscript = s.bus.subscribe('call.transcript', (e) => {
    if (e.final) finals.push(e.text);
  });
  let callId = 0;
  const offOffer = s.bus.subscribe('call.offered', (e) => {
    callId = e.callId;
    void s.request('agent', { method: 'POST', url: `/api/calls/${e.callId}/answer` });
  });
  assert.equal(
    (await s.request('agent', { method: 'POST', url: '/api/agents/me/state', payload: { state: 'available' } })).statusCode,
    200,
  );

  const wav = await ulawWav('aishell-sample_BAC009S0252W0436.wav', 2);
  const run = sipp({
    target: s.sipPort,
    scenario: scenario('uac-speech-hold.xml', {
      CALLER: '13900139000',
      PRIORITY: 'Subject: 12345',
      WAIT_MS: '1500',
      HOLD_MS: '60000',
      WAV: wav,
    }),
  });
  try {
    const alert = await until(
      async () => agentDesk.events.find((e) => e.type === 'emergency.alert'),
      45000,
      `the alert on the agent desk (final segments heard: ${JSON.stringify(finals)})`,
    );
    assert.equal(alert.payload.callId, callId);
    assert.equal(alert.payload.line, '110');
    assert.deepEqual(alert.payload.matched, ['持刀']);
    assert.equal(alert.payload.source, 'transcript');
    assert.match(String(alert.payload.text), /持刀/, 'the alert quotes what was heard');
    // The keyword spotter usually hears it before the utterance's final is out; the
    // recogniser writes it too. Nothing here comes from the test.
    assert.ok(
      (alert.payload.detectedBy as string[]).some((d) => d === 'speech' || d === 'text'),
      JSON.stringify(alert.payload),
    );
    assert.ok(typeof alert.payload.atMs === 'number' && alert.payload.atMs > 0, 'the time in the call');
    await until(
      async () => (finals.some((f) => f.includes('持刀')) ? true : undefined),
      20000,
      `the recogniser's transcript with 持刀 (finals: ${JSON.stringify(finals)})`,
    );
    await until(async () => wallboard.events.find((e) => e.type === 'emergency.alert'), 5000, 'the alert on the wallboard');

    const statuses: string[] = [];
    const offTransfer = s.bus.subscribe('call.transfer', (e) => void statuses.push(e.status));
    const r = await s.request('agent', { method: 'POST', url: '/api/emergency/transfer', payload: { callId, line: '110' } });
    assert.equal(r.statusCode, 200, r.body);
    await until(async () => (statuses.includes('connected') || statuses.includes('failed') ? true : undefined), 15000, 'the 110 leg');
    offTransfer();
    assert.ok(statuses.includes('connected'), statuses.join(','));
    const ref = (
      await s.db.query<{ line: string; target: string; transcript_excerpt: string; agent_id: number; outcome: string }>(
        'SELECT * FROM referrals WHERE id = $1',
        [r.json().id],
      )
    ).rows[0];
    assert.equal(ref?.line, '110');
    assert.equal(ref?.target, line.lineUri);
    assert.match(ref?.transcript_excerpt ?? '', /持刀/);
    assert.ok((ref?.agent_id ?? 0) > 0);
    assert.equal(ref?.outcome, 'connected');
    assert.equal((await s.request('supervisor', { method: 'POST', url: `/api/calls/${callId}/hangup` })).statusCode, 200);
    const res = await run;
    assert.equal(res.code, 0, `sipp: ${res.stdout.slice(-1000)} ${res.stderr}`);
  } finally {
    offTranscript();
    offOffer();
    await run;
    for (const d of [agentDesk, wallboard]) d.ws.close();
  }
});

test("the keyword spotter hears the rules' phrases in the call audio itself: 起火 over SIP alerts 119, and the spotter reports it with its time", async () => {
  const agentDesk = await line.desk('agent');
  let callId = 0;
  const offOffer = s.bus.subscribe('call.offered', (e) => {
    callId = e.callId;
    void s.request('agent', { method: 'POST', url: `/api/calls/${e.callId}/answer` });
  });
  const keywords: string[] = [];
  const offKeyword = s.bus.subscribe('call.keyword', (e) => {
    keywords.push(e.keyword);
    // Said about 1.3 s into the clip, after 1.5 s of the caller's silence.
    assert.ok(e.startMs > 1500 && e.startMs < 4500 && e.endMs > e.startMs, JSON.stringify(e));
  });
  assert.equal(
    (await s.request('agent', { method: 'POST', url: '/api/agents/me/state', payload: { state: 'available' } })).statusCode,
    200,
  );
  // 车辆起火无人员伤亡 (the recogniser has written it as 车辆激活 and 车辆结果 on some paths).
  const wav = await ulawWav('aishell-sample_BAC009S0252W0476.wav', 1);
  const run = sipp({
    target: s.sipPort,
    scenario: scenario('uac-speech-hold.xml', {
      CALLER: '13900139001',
      PRIORITY: 'Subject: 12345',
      WAIT_MS: '1500',
      HOLD_MS: '20000',
      WAV: wav,
    }),
  });
  try {
    const alert = await until(async () => agentDesk.events.find((e) => e.type === 'emergency.alert'), 45000, 'the alert on the agent desk');
    assert.equal(alert.payload.callId, callId);
    assert.equal(alert.payload.line, '119');
    // Whichever came first alerted; the spotter reports the phrase too, within seconds of it.
    await until(
      async () => (keywords.includes('起火') ? true : undefined),
      15000,
      `the spotter hearing 起火 (alert ${JSON.stringify(alert.payload)})`,
    );
    assert.ok((alert.payload.detectedBy as string[]).length > 0);
    assert.equal((await s.request('supervisor', { method: 'POST', url: `/api/calls/${callId}/hangup` })).statusCode, 200);
  } finally {
    offOffer();
    offKeyword();
    await run;
    agentDesk.ws.close();
  }
});
