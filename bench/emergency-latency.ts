/**
 * Emergency path latency: from the final transcript segment that contains a trigger phrase
 * being published on the bus to the `emergency.alert` frame arriving on the desk's channel
 * (/ws/events, real WebSockets) of the agent on the call and of the supervisor.
 *
 * Real parts: the product's server (test harness, embedded PGlite), the seeded emergency
 * rules, live SIP calls placed by sipp and answered by the agent through the REST API, the
 * desk channel. The one stand-in is the recogniser: no speech model that runs here hears the
 * phrases (see test/emergency-call.test.ts), so each segment is published on the bus exactly
 * as telephony/call-center.ts onAsrResult publishes `call.transcript` for a live call.
 *
 * Every sample is a fresh answered call, because the watch raises one alert per call and
 * line (a caller repeating 救命 must not flood the desk).
 *
 * Phase 1: N calls, nothing else going on. Phase 2: the same with L other answered calls
 * (sipp callers looping speech as RTP, each answered by its own agent whose desk tab is
 * connected) whose transcripts stream like a recogniser's: a partial every 100 ms per call,
 * a (calm) final every 3 s, all through the same bus, emergency check and desk channel.
 *
 * With `model` as the third argument the triggers are instead the held-out seed emergencies
 * that no rule names and the classifier's emergency head flags (classifier/emergency-model.ts):
 * the alert then waits for the model (onnxruntime, in this process) after the rule check.
 *
 * Run: node --import tsx bench/emergency-latency.ts [N=200] [L=20] [rules|model]
 */
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { loadEmergencySeed, splitSeed } from '../classifier/emergency-model.js';
import { checkEmergency, createClassifier } from '../classifier/index.js';
import { DEMO_PASSWORD } from '../org/index.js';
import { scenario, sipp, sleep, startTelServer, ulawWav } from '../test/sip/harness.js';

const N = Number(process.argv[2] ?? 200);
const L = Number(process.argv[3] ?? 20);
const MODE = process.argv[4] === 'model' ? 'model' : 'rules';
const ALERT_TIMEOUT_MS = 5000;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const s = await startTelServer('pglite', {
  RTP_TIMEOUT_S: '0',
  DISPATCH_DEADLINE_CHECK_SECONDS: '0',
  CALL_OFFER_TIMEOUT_S: '30',
});
await s.app.listen({ port: 0, host: '127.0.0.1' });
const wsUrl = `ws://127.0.0.1:${(s.app.server.address() as AddressInfo).port}/ws/events`;

/** A desk tab on /ws/events: when each emergency.alert frame arrived, by call. */
async function desk(cookie: string) {
  const ws = new WebSocket(wsUrl, { headers: { cookie } });
  const alerts = new Map<number, number>();
  const waiters = new Map<number, () => void>();
  let frames = 0;
  ws.on('message', (data) => {
    const at = performance.now();
    frames++;
    const f = JSON.parse(String(data));
    if (f.kind !== 'event' || f.type !== 'emergency.alert') return;
    const callId = f.payload.callId as number;
    if (!alerts.has(callId)) alerts.set(callId, at);
    waiters.get(callId)?.();
  });
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  return {
    ws,
    frames: () => frames,
    /** When the alert for `callId` arrived (performance.now()), or undefined after the timeout. */
    alertFor(callId: number): Promise<number | undefined> {
      if (alerts.has(callId)) return Promise.resolve(alerts.get(callId));
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          waiters.delete(callId);
          resolve(undefined);
        }, ALERT_TIMEOUT_MS);
        waiters.set(callId, () => {
          clearTimeout(t);
          waiters.delete(callId);
          resolve(alerts.get(callId));
        });
      });
    },
  };
}

// Sentences with each seeded rule: keywords inside ordinary speech; regex rules with an
// example each. Every sentence is checked against the live rules before use.
const REGEX_EXAMPLES: Record<string, string> = {
  '(想|要)(去)?死': '我真的想去死',
  '掉进(河|湖|水|江|池)': '小孩掉进河里了',
  '(煤气|燃气|天然气|液化气)泄(漏|露)': '楼道里煤气泄漏了',
  '(煤气|燃气|天然气)味': '家里一股很重的燃气味',
  '心脏病(发|犯)': '我爸心脏病发了',
  '(喝|吃|服)了?(农药|老鼠药|安眠药)': '她刚才喝了农药',
};
const rules = (
  await s.db.query<{ pattern: string; kind: string; line: string }>(
    'SELECT pattern, kind, line FROM emergency_rules WHERE active ORDER BY priority, id',
  )
).rows;
const triggers: string[] = [];
const untested: string[] = [];
if (MODE === 'rules') {
  for (const r of rules) {
    const text = r.kind === 'keyword' ? `喂你好，这里${r.pattern}了，就在东湖街道湖滨社区12栋` : REGEX_EXAMPLES[r.pattern];
    if (text && checkEmergency(text).is) triggers.push(text);
    else untested.push(r.pattern);
  }
} else {
  // The same model the server's watch asks (MODELS_DIR/classifier, activated on first use).
  const classifier = createClassifier({ db: s.db, modelsDir: process.env.MODELS_DIR ?? 'models' });
  for (const r of splitSeed(loadEmergencySeed()).holdout) {
    if (!r.line || checkEmergency(r.text).is) continue;
    if ((await classifier.checkEmergency(r.text)).is) triggers.push(r.text);
    else untested.push(r.text);
  }
}
if (!triggers.length) throw new Error('no trigger sentence passes the emergency rules');

const userId = async (username: string) =>
  Number((await s.db.query<{ id: string }>('SELECT id FROM users WHERE username = $1', [username])).rows[0]?.id);
const agentId = await userId('agent');
const agentCookie = await s.login('agent');
const agentDesk = await desk(agentCookie);
const supervisorDesk = await desk(await s.login('supervisor'));
const setState = (as: string, state: string) => s.request(as, { method: 'POST', url: '/api/agents/me/state', payload: { state } });

// Offers to each agent, in order, as the desk learns of them.
const offers = new Map<number, number[]>();
const offerWaiters = new Map<number, () => void>();
s.bus.subscribe('call.offered', (e) => {
  const q = offers.get(e.agentId) ?? [];
  q.push(e.callId);
  offers.set(e.agentId, q);
  offerWaiters.get(e.agentId)?.();
});
async function nextOffer(agent: number, timeoutMs = 15000): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const q = offers.get(agent);
    if (q?.length) return q.shift() as number;
    if (Date.now() > end) throw new Error(`no call offered to agent ${agent} within ${timeoutMs} ms`);
    await new Promise<void>((r) => {
      const t = setTimeout(r, 200);
      offerWaiters.set(agent, () => {
        clearTimeout(t);
        r();
      });
    });
  }
}

/** Server-side part: segment published → emergency.alert published (the synchronous check). */
// By call: the model's alert comes after the publish call has returned.
const publishedAt = new Map<number, number>();
const busDelays: number[] = [];
s.bus.subscribe('emergency.alert', (e) => {
  const t0 = e.callId === null ? undefined : publishedAt.get(e.callId);
  if (t0 !== undefined) busDelays.push(performance.now() - t0);
});

const pct = (xs: number[], p: number) => {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)] ?? Number.NaN;
};
const summary = (xs: number[]) =>
  `p50 ${pct(xs, 0.5).toFixed(2)} ms, p95 ${pct(xs, 0.95).toFixed(2)} ms, p99 ${pct(xs, 0.99).toFixed(2)} ms, max ${pct(xs, 1).toFixed(2)} ms`;

/** N fresh calls from one sipp run, each answered by the agent, each with one trigger segment. */
async function measure(label: string) {
  busDelays.length = 0;
  const toAgent: number[] = [];
  const toSupervisor: number[] = [];
  let missed = 0;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  // One caller at a time (-l 1): the next call starts when the agent has hung up the last.
  // Each caller waits at most 30 s for the hotline's BYE, so a stuck sample cannot hang the run.
  const run = sipp({
    target: s.sipPort,
    scenario: scenario('uac-silent.xml', { CALLER: '13800138000', PRIORITY: 'Subject: 12345', WAIT_MS: '30000' }),
    calls: N,
    extra: ['-r', '50', '-l', '1'],
    timeoutS: Math.ceil(N * 2 + 60),
  });
  // The last events, printed if a sample gets stuck, to show where the call stopped.
  const recent: string[] = [];
  const offAll = s.bus.subscribeAll((e) => {
    if (e.type === 'call.transcript' || e.type.startsWith('metrics')) return;
    recent.push(`${performance.now().toFixed(0)} ${e.type} ${JSON.stringify(e.payload).slice(0, 90)}`);
    if (recent.length > 25) recent.shift();
  });
  let sippDone: Awaited<typeof run> | undefined;
  void run.then((r) => {
    sippDone = r;
  });
  await setState('agent', 'available');
  for (let i = 0; i < N; i++) {
    const callId = await nextOffer(agentId).catch((err: Error) => {
      throw new Error(
        `sample ${i}: ${err.message}; sipp ${sippDone ? `exited ${sippDone.code}: ${sippDone.stderr.slice(0, 600)}` : 'still running'}\n${recent.join('\n')}`,
      );
    });
    const answered = await s.request('agent', { method: 'POST', url: `/api/calls/${callId}/answer` });
    if (answered.statusCode !== 200) throw new Error(`answer ${callId}: ${answered.statusCode} ${answered.body}`);
    // What the recogniser would have said before the trigger: a partial, then a calm final.
    s.bus.publish('call.transcript', { callId, leg: 'caller', seq: 1, text: '你好我要', final: false, startMs: 0, endMs: 600 });
    s.bus.publish('call.transcript', { callId, leg: 'caller', seq: 1, text: '你好我要反映一个情况', final: true, startMs: 0, endMs: 1800 });
    // A random pause puts the trigger at a random point of the other calls' partial bursts
    // (and spreads the N samples over some 20 s of load instead of a few seconds).
    await sleep(50 + Math.random() * 100);
    const text = triggers[i % triggers.length] as string;
    const agentAlert = agentDesk.alertFor(callId);
    const supervisorAlert = supervisorDesk.alertFor(callId);
    const t0 = performance.now();
    publishedAt.set(callId, t0);
    s.bus.publish('call.transcript', { callId, leg: 'caller', seq: 2, text, final: true, startMs: 2000, endMs: 5000 });
    const [a, b] = await Promise.all([agentAlert, supervisorAlert]);
    if (a === undefined || b === undefined) missed++;
    if (a !== undefined) toAgent.push(a - t0);
    if (b !== undefined) toSupervisor.push(b - t0);
    const hung = await s.request('agent', { method: 'POST', url: `/api/calls/${callId}/hangup` });
    if (hung.statusCode !== 200) throw new Error(`hangup ${callId}: ${hung.statusCode} ${hung.body}`);
    await setState('agent', 'available');
  }
  await setState('agent', 'paused');
  offAll();
  const r = await run;
  lag.disable();
  console.log(`${label}: ${N} calls, ${triggers.length} distinct trigger sentences, ${missed} alerts missing after ${ALERT_TIMEOUT_MS} ms`);
  console.log(`  segment -> emergency.alert on the bus:       ${summary(busDelays)}`);
  console.log(`  segment -> frame on the agent's desk:        ${summary(toAgent)}`);
  console.log(`  segment -> frame on the supervisor's desk:   ${summary(toSupervisor)}`);
  console.log(
    `  event-loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms; ` +
      `sipp: ${/Successful call\s*\|[^|]*\|\s*(\d+)/.exec(r.stdout)?.[1]} ok, ${/Failed call\s*\|[^|]*\|\s*(\d+)/.exec(r.stdout)?.[1]} failed; load ${load()}`,
  );
}

/** L answered calls with RTP from sipp, each with its own agent and desk tab, transcripts streaming. */
async function startLoad() {
  const wav = await ulawWav('wenetspeech_TEST_NET_Y0000000000_-KTKHdZ2fb8_S00000.wav');
  const agents: { name: string; id: number; desk: Awaited<ReturnType<typeof desk>> }[] = [];
  for (let i = 1; i <= L; i++) {
    const name = `bench.agent${i}`;
    const created = await s.request('admin', {
      method: 'POST',
      url: '/api/users',
      payload: { username: name, password: DEMO_PASSWORD, role: 'agent', displayName: `话务员 ${i}`, orgUnitCode: 'centre' },
    });
    if (created.statusCode !== 201) throw new Error(`create ${name}: ${created.statusCode} ${created.body}`);
    agents.push({ name, id: created.json().id as number, desk: await desk(await s.login(name)) });
  }
  const byId = new Map(agents.map((a) => [a.id, a]));
  const live: number[] = [];
  const answering: Promise<unknown>[] = [];
  const off = s.bus.subscribe('call.offered', (e) => {
    const a = byId.get(e.agentId);
    if (a) {
      live.push(e.callId);
      answering.push(s.request(a.name, { method: 'POST', url: `/api/calls/${e.callId}/answer` }));
    }
  });
  for (const a of agents) await setState(a.name, 'available');
  // A caller that speaks (looped speech as RTP) until the hotline hangs up.
  const xml = scenario('uac-silent.xml', { CALLER: '13900139000', PRIORITY: 'Subject: 12345', WAIT_MS: '600000' });
  const { readFileSync, writeFileSync } = await import('node:fs');
  writeFileSync(
    xml,
    readFileSync(xml, 'utf8').replace(
      '<recv request="BYE"',
      `<nop><action><exec rtp_stream="${wav},-1,0"/></action></nop>\n  <recv request="BYE"`,
    ),
  );
  const run = sipp({ target: s.sipPort, scenario: xml, calls: L, extra: ['-r', String(L), '-l', String(L)], timeoutS: 900 });
  const end = Date.now() + 20000;
  while (live.length < L && Date.now() < end) await sleep(100);
  for (const r of (await Promise.all(answering)) as { statusCode: number; body: string }[]) {
    if (r.statusCode !== 200) throw new Error(`a load call could not be answered: ${r.statusCode} ${r.body}`);
  }
  off();
  for (const o of offers.values()) o.length = 0;
  if (live.length < L) throw new Error(`only ${live.length} of ${L} load calls were offered`);

  // A recogniser's output per call: partials growing every 100 ms, a calm final every 3 s.
  const words = '我家楼下的烧烤店每天晚上都开到凌晨两三点很吵孩子没法睡觉希望有关部门管一管'.split('');
  const seq = new Map(live.map((id) => [id, 1]));
  let tick = 0;
  let events = 0;
  const timer = setInterval(() => {
    tick++;
    for (const [k, callId] of live.entries()) {
      const n = ((tick + k) % 30) + 1;
      const startMs = (seq.get(callId) as number) * 3000;
      if (n === 30) {
        s.bus.publish('call.transcript', {
          callId,
          leg: 'caller',
          seq: seq.get(callId) as number,
          text: words.slice(0, 30).join(''),
          final: true,
          startMs,
          endMs: startMs + 3000,
        });
        seq.set(callId, (seq.get(callId) as number) + 1);
      } else {
        const text = words.slice(0, n).join('');
        s.bus.publish('call.transcript', {
          callId,
          leg: 'caller',
          seq: seq.get(callId) as number,
          text,
          final: false,
          startMs,
          endMs: startMs + n * 100,
        });
      }
      events++;
    }
  }, 100);
  return {
    describe: () =>
      `${live.length} answered SIP calls with RTP (sipp loops speech), ${agents.length} agent desk tabs, ${events} transcript events published so far, ` +
      `agent tabs received ${agents.reduce((n, a) => n + a.desk.frames(), 0)} frames`,
    async stop() {
      clearInterval(timer);
      for (const callId of live) await s.request('supervisor', { method: 'POST', url: `/api/calls/${callId}/hangup` });
      await run;
      for (const a of agents) a.desk.ws.close();
    },
  };
}

console.log(
  `node ${process.version}, load ${load()}; ${rules.length} active rules, ${MODE} triggers: ${triggers.length} sentences` +
    (untested.length
      ? MODE === 'rules'
        ? ` (no sentence for ${untested.join(', ')})`
        : ` (${untested.length} held-out seed emergencies neither rules nor model flag)`
      : ''),
);
await measure('idle');
const bg = await startLoad();
await sleep(2000);
const frames0 = supervisorDesk.frames();
const t0 = performance.now();
await measure(`under load (${L} calls' transcripts streaming)`);
console.log(
  `  load: ${bg.describe()}; supervisor tab received ${(((supervisorDesk.frames() - frames0) / (performance.now() - t0)) * 1000).toFixed(0)} frames/s`,
);
await bg.stop();
agentDesk.ws.close();
supervisorDesk.ws.close();
await s.close();
process.exit(0);
