/**
 * Telephony figures, driven by sipp on 127.0.0.1 against the real endpoint (embedded PGlite):
 * 1. call setups per second (INVITE/200/ACK/BYE, each call recorded in the database) with
 *    no failed calls: the rate is raised step by step until sipp reports a failed call;
 * 2. concurrent calls with 20 ms PCMU RTP both ways (the caller loops speech, the hotline
 *    plays its greeting and queue prompts), sustained for 20 s each, server CPU per call;
 * 3. delay from the first spoken word to its first partial on the bus (PocketSphinx). The
 *    caller here is the script itself (raw SIP + paced RTP), so the moment the first voiced
 *    frame is sent is known to the microsecond instead of being inferred from sipp's pauses.
 * Run: node --import tsx bench/telephony-sip.ts [rates=40,50,60,70,80,90,100,120] [concurrent=50,100,200,300] [trials=5]
 * Every sipp run is finite (-m calls, -timeout); the whole script takes about 5 minutes.
 * Figures and what limits them: docs/benchmarks.md, Telephony.
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildRtp } from '../telephony/rtp-packet.js';
import {
  inDialog,
  invite,
  rawPeer,
  SHARED,
  scenario,
  sipp,
  sleep,
  startTelServer,
  type TelServer,
  ulawWav,
  WORK,
} from '../test/sip/harness.js';

const rates = (process.argv[2] ?? '40,50,60,70,80,90,100,120').split(',').map(Number);
const concurrency = (process.argv[3] ?? '50,100,200,300').split(',').map(Number);
const trials = Number(process.argv[4] ?? 5);

// The harness gives each test server 200 RTP ports (99 calls), so that test files running
// side by side do not collide; a load test needs the whole range a real site would give.
const WIDE_RTP = { RTP_PORT_MIN: '40000', RTP_PORT_MAX: '49998' };
const serverPort = (s: TelServer) => (port: number) => port === s.sipPort || (port >= 40000 && port <= 49998);

function stat(out: string, name: string): number {
  const m = new RegExp(`${name}\\s*\\|[^|]*\\|\\s*(\\d+)`).exec(out);
  return m ? Number(m[1]) : Number.NaN;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** CPU seconds of the children this process has waited for (sipp runs), from /proc. */
function childCpuS(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // Fields 16 and 17 of proc(5) (cutime, cstime), counted from the state field (3).
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/**
 * UDP datagrams the kernel dropped because a socket's receive buffer was full, per socket
 * (/proc/net/udp), sampled while a run goes on because a call's sockets close with it.
 * Only the server's sockets count: sipp's rtp_stream never reads what the hotline sends it,
 * so its own sockets overflow by design.
 */
function udpDropSampler(isServerPort: (port: number) => boolean) {
  const seen = new Map<string, number>();
  const sample = () => {
    for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 13) continue;
      const port = Number.parseInt(f[1]?.split(':')[1] ?? '', 16);
      if (!isServerPort(port)) continue;
      const inode = f[9] as string;
      seen.set(inode, Math.max(seen.get(inode) ?? 0, Number(f[12])));
    }
  };
  const drops0 = new Map(seen);
  sample();
  for (const [k, v] of seen) drops0.set(k, v);
  const timer = setInterval(sample, 500);
  return {
    stop(): number {
      clearInterval(timer);
      sample();
      let n = 0;
      for (const [k, v] of seen) n += v - (drops0.get(k) ?? 0);
      return n;
    },
  };
}

/**
 * UDP datagrams that reached a socket on this machine so far (all processes; loopback RTP
 * dominates here): those delivered plus those dropped on a full receive buffer, since sipp
 * never reads the hotline's RTP and the kernel drops it at sipp's socket.
 */
function udpArrived(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf('InDatagrams')]) + Number(values[names.indexOf('RcvbufErrors')]);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
};

/** The ended calls stored so far (the endpoint writes each call's record asynchronously). */
async function endedCalls(s: TelServer, since: number): Promise<Record<string, number>> {
  const r = await s.db.query<{ end_reason: string; n: string }>(
    'SELECT end_reason, count(*) AS n FROM calls WHERE id > $1 AND state = $2 GROUP BY end_reason',
    [since, 'ended'],
  );
  return Object.fromEntries(r.rows.map((x) => [x.end_reason, Number(x.n)]));
}

async function lastCallId(s: TelServer): Promise<number> {
  const r = await s.db.query<{ id: string | null }>('SELECT max(id) AS id FROM calls');
  return Number(r.rows[0]?.id ?? 0);
}

/** Waits until every call of a run is stored as ended (bounded). */
async function settle(s: TelServer, since: number, want: number): Promise<Record<string, number>> {
  const end = Date.now() + 30_000;
  for (;;) {
    const byReason = await endedCalls(s, since);
    const n = Object.values(byReason).reduce((a, b) => a + b, 0);
    if (n >= want || Date.now() > end) return byReason;
    await sleep(250);
  }
}

// A caller with no media and no pause: INVITE, 200 (timed: rtd), ACK, BYE at once.
function setupScenario(): string {
  const xml = scenario('uac-speech.xml', { CALLER: '13800000000', PRIORITY: 'Subject: bench', WAIT_MS: '0', TALK_MS: '0', WAV: '' });
  const text = readFileSync(xml, 'utf8')
    .replace(/<pause[^>]*\/>/g, '')
    .replace(/<nop>[\s\S]*?<\/nop>/, '');
  writeFileSync(xml, text);
  return xml;
}

/** INVITE → 200 times of one sipp run (-trace_rtt writes <scenario>_<pid>_rtt.csv). */
function setupTimes(xml: string): number[] {
  const prefix = `${basename(xml, '.xml')}_`;
  const file = readdirSync(WORK).find((f) => f.startsWith(prefix) && f.endsWith('_rtt.csv'));
  if (!file) return [];
  return readFileSync(join(WORK, file), 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(';')[1]))
    .filter((x) => Number.isFinite(x));
}

async function setupRate() {
  const s = await startTelServer('pglite', {
    ...WIDE_RTP,
    SIP_MAX_CALLS: '5000',
    RTP_TIMEOUT_S: '0',
    TELEPHONY_GREETING_WAV: '/nonexistent',
    TELEPHONY_QUEUE_WAV: '/nonexistent',
  });
  try {
    for (const rate of rates) {
      const calls = rate * 10;
      const xml = setupScenario();
      const since = await lastCallId(s);
      const cpu0 = process.cpuUsage();
      const sippCpu0 = childCpuS();
      const drops = udpDropSampler(serverPort(s));
      const t0 = Date.now();
      const r = await sipp({
        target: s.sipPort,
        scenario: xml,
        calls,
        extra: ['-r', String(rate), '-trace_rtt', '-rtt_freq', '1'],
        timeoutS: 90,
      });
      const secs = (Date.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const ok = stat(r.stdout, 'Successful call');
      const failed = stat(r.stdout, 'Failed call');
      const stored = await settle(s, since, ok);
      const rtt = setupTimes(xml);
      const serverDrops = drops.stop();
      const retrans = Number(/INVITE[^\n]*?\d+\s+(\d+)\s+\d+/.exec(r.stdout)?.[1] ?? Number.NaN);
      console.log(
        `setup rate ${rate}/s: ${ok} ok, ${failed} failed of ${calls} in ${secs.toFixed(1)} s; stored ${JSON.stringify(stored)}; ` +
          `INVITE->200 p50 ${pct(rtt, 0.5).toFixed(1)} ms p99 ${pct(rtt, 0.99).toFixed(1)} ms max ${pct(rtt, 1).toFixed(1)} ms; ` +
          `INVITE retransmissions ${retrans}; server CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s ` +
          `(${((cpu.user + cpu.system) / 1e3 / Math.max(ok, 1)).toFixed(2)} ms/call), sipp CPU ${(childCpuS() - sippCpu0).toFixed(1)} s; ` +
          `server UDP drops ${serverDrops}; load ${load()}`,
      );
      // sipp's own verdict is too kind: its retransmissions rescue calls the endpoint answered
      // seconds late. Sustained means every call set up, stored as a normal end, on schedule
      // (within 10 % of the nominal duration) and with no SIP datagram dropped by the kernel.
      const problems = [
        failed > 0 || r.code !== 0 ? `sipp: ${failed} failed, exit ${r.code}` : '',
        stored.abandoned !== ok ? `stored ${JSON.stringify(stored)}` : '',
        secs > 1.1 * (calls / rate) + 1 ? `took ${secs.toFixed(1)} s instead of ${calls / rate} s` : '',
        serverDrops > 0 ? `${serverDrops} datagrams dropped` : '',
      ].filter(Boolean);
      if (problems.length) {
        console.log(`  not sustained at ${rate}/s: ${problems.join('; ')}`);
        break;
      }
    }
  } finally {
    await s.close();
  }
}

async function concurrent() {
  const wav = await ulawWav('wenetspeech_TEST_NET_Y0000000000_-KTKHdZ2fb8_S00000.wav');
  const s = await startTelServer('pglite', { ...WIDE_RTP, SIP_MAX_CALLS: '5000', RTP_TIMEOUT_S: '10' });
  try {
    for (const n of concurrency) {
      const holdMs = 20000;
      const xml = scenario('uac-speech.xml', {
        CALLER: '13800000000',
        PRIORITY: 'Subject: bench',
        WAIT_MS: '0',
        TALK_MS: String(holdMs),
        WAV: wav,
      });
      writeFileSync(xml, readFileSync(xml, 'utf8').replace(',1,0"', ',-1,0"')); // loop the speech for the whole call
      const since = await lastCallId(s);
      const lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
      const cpu0 = process.cpuUsage();
      const sippCpu0 = childCpuS();
      const drops = udpDropSampler(serverPort(s));
      const in0 = udpArrived();
      const t0 = process.hrtime.bigint();
      // All n calls start within ~1 s and overlap for holdMs with RTP both ways (the greeting
      // and queue prompts are played to every caller while it waits).
      const r = await sipp({ target: s.sipPort, scenario: xml, calls: n, extra: ['-r', String(n), '-l', String(n)], timeoutS: 90 });
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      lag.disable();
      const cpuS = (cpu.user + cpu.system) / 1e6;
      const ok = stat(r.stdout, 'Successful call');
      const failed = stat(r.stdout, 'Failed call');
      const stored = await settle(s, since, ok);
      // Both directions carry 50 packets a second per call, so this checks that the media flowed.
      const datagrams = udpArrived() - in0;
      console.log(
        `${n} concurrent calls x ${holdMs / 1000} s RTP: ${ok} ok, ${failed} failed; stored ${JSON.stringify(stored)}; ` +
          `server CPU ${cpuS.toFixed(1)} s over ${wallS.toFixed(1)} s = ${((100 * cpuS) / wallS).toFixed(0)}% of one core, ` +
          `${((1000 * cpuS) / wallS / n).toFixed(2)} ms CPU per call-second; sipp CPU ${(childCpuS() - sippCpu0).toFixed(1)} s; ` +
          `event-loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms max ${(lag.max / 1e6).toFixed(1)} ms; ` +
          `server UDP drops ${drops.stop()}; UDP datagrams that arrived ${datagrams} (RTP both ways would be ${2 * n * 50 * (holdMs / 1000)}); load ${load()}`,
      );
      if (failed > 0 || r.code !== 0) {
        const first = r.stderr.split('\n').find((l) => /Dead call|Aborting|received|error/i.test(l));
        console.log(`  limit reached at ${n} calls (sipp exit ${r.code}): ${first ?? r.stderr.slice(0, 200)}`);
        break;
      }
    }
  } finally {
    await s.close();
  }
}

/** A shared speech file as raw 8 kHz mono samples (no dither, so every run plays the same bytes). */
function speech8k(file: string, encoding: 'signed' | 'u-law' | 'a-law', bits: 8 | 16): Buffer {
  return execFileSync('sox', [
    '-D',
    join(SHARED, 'speech', file),
    '-r',
    '8000',
    '-c',
    '1',
    '-e',
    encoding,
    '-b',
    String(bits),
    '-t',
    'raw',
    '-',
  ]);
}

/** One caller played by this script: raw SIP over UDP, the file as paced PCMU RTP, then BYE. */
async function speak(s: TelServer, file: string) {
  const pcm = speech8k(file, 'signed', 16);
  // Word onset: the first 20 ms frame louder than five times the room noise of the first
  // 200 ms (mean absolute amplitude, at least 300 of 32768). These recordings peak at 800 to
  // 1,400 and their noise floor is 30 to 120, so a fixed threshold misses quiet speakers.
  const level = (f: number) => {
    let e = 0;
    for (let i = f * 320; i < Math.min(pcm.length, f * 320 + 320); i += 2) e += Math.abs(pcm.readInt16LE(i));
    return e / 160;
  };
  let noise = 0;
  for (let f = 0; f < 10; f++) noise += level(f) / 10;
  const threshold = Math.max(300, 5 * noise);
  let onsetFrame = -1;
  for (let f = 0; f * 320 < pcm.length && onsetFrame < 0; f++) if (level(f) > threshold) onsetFrame = f;
  if (onsetFrame < 0) throw new Error(`${file}: no speech onset found`);
  const rtp = createSocket('udp4');
  const rtpPort = await new Promise<number>((r) => rtp.bind(0, '127.0.0.1', () => r(rtp.address().port)));
  const peer = await rawPeer();
  const callId = `bench-${Date.now()}-${Math.random().toString(36).slice(2)}@127.0.0.1`;
  let id = 0;
  let onsetAt = 0;
  let speechEndAt = 0;
  let ended: () => void = () => {};
  const endedP = new Promise<void>((r) => {
    ended = r;
  });
  const partials: { at: number; text: string }[] = [];
  const finals: { at: number; text: string }[] = [];
  const offs = [
    // Calls here are placed one at a time, so the first arrival is ours.
    s.bus.subscribe('call.arrived', (e) => {
      id ||= e.callId;
    }),
    s.bus.subscribe('call.ended', (e) => {
      if (e.callId === id) ended();
    }),
    s.bus.subscribe('call.transcript', (e) => {
      if (e.callId !== id) return;
      (e.final ? finals : partials).push({ at: performance.now(), text: e.text });
    }),
  ];
  try {
    const inv = invite({ from: peer.port, to: s.sipPort, callId, caller: '13800000000', rtpPort });
    peer.send(inv, s.sipPort);
    const ok = await peer.next(new RegExp(`^SIP/2.0 [2-6]\\d\\d[\\s\\S]*Call-ID: ${callId}`, 'm'), 5000);
    if (!ok?.startsWith('SIP/2.0 200')) throw new Error(`not answered: ${ok?.split('\r\n')[0]}`);
    peer.send(inDialog('ACK', inv, ok, peer.port, s.sipPort, 1), s.sipPort);
    const remote = Number(/^m=audio (\d+)/m.exec(ok)?.[1]);
    // The endpoint picks the first codec of the harness's offer it supports (PCMA, then PCMU).
    const payloadType = Number(/^m=audio \d+ RTP\/AVP (\d+)/m.exec(ok)?.[1] ?? 0);
    if (payloadType !== 0 && payloadType !== 8) throw new Error(`the endpoint answered with payload type ${payloadType}`);
    const law = payloadType === 8 ? 'a-law' : 'u-law';
    const coded = speech8k(file, law, 8);
    // A second of silence after the speech lets the recogniser's voice detector end the utterance.
    const audio = Buffer.concat([coded, Buffer.alloc(8000, payloadType === 8 ? 0xd5 : 0xff)]);
    const frames = Math.ceil(audio.length / 160);
    // Paced like a phone: frame k leaves at t0 + 20k ms (timers only wake us; the schedule is absolute).
    const ssrc = 0x1234abcd;
    const t0 = performance.now() + 20;
    for (let k = 0; k < frames; ) {
      const due = t0 + 20 * k;
      const now = performance.now();
      if (now < due) {
        await sleep(Math.max(1, due - now - 1));
        continue;
      }
      const payload = audio.subarray(k * 160, k * 160 + 160);
      rtp.send(buildRtp({ payloadType, marker: k === 0, sequence: k & 0xffff, timestamp: k * 160, ssrc, payload }), remote, '127.0.0.1');
      if (k === onsetFrame) onsetAt = performance.now();
      if (k * 160 < coded.length) speechEndAt = performance.now();
      k++;
    }
    await sleep(1500);
    peer.send(inDialog('BYE', inv, ok, peer.port, s.sipPort, 2), s.sipPort);
    await peer.next(/^SIP\/2.0 200[\s\S]*CSeq: 2 BYE/m, 5000);
    // The call ends once its recogniser has closed: the next call then reuses that warm worker
    // instead of starting (and timing) a second one that still has to load the model.
    await Promise.race([endedP, sleep(15000)]);
  } finally {
    for (const off of offs) off();
    peer.close();
    rtp.close();
  }
  const first = partials.find((p) => p.at >= onsetAt);
  return {
    onsetMs: onsetFrame * 20,
    early: partials.filter((p) => p.at < onsetAt).length,
    firstPartialMs: first ? first.at - onsetAt : Number.NaN,
    firstText: first?.text ?? '',
    partials: partials.length,
    finalAfterSpeechMs: finals.length ? (finals.at(-1)?.at ?? 0) - speechEndAt : Number.NaN,
    finals: finals.length,
  };
}

async function partialDelay() {
  const files = readdirSync(join(SHARED, 'speech'))
    .filter((f) => f.startsWith('aishell-sample_'))
    .sort()
    .slice(0, trials);
  const s = await startTelServer('pglite', { ASR_ENGINE: 'pocketsphinx', ASR_POOL_SIZE: '2', RTP_TIMEOUT_S: '0' });
  try {
    // One warm-up call: the first stream loads the model in its worker.
    await speak(s, files[0] as string);
    const delays: number[] = [];
    for (const file of files) {
      const r = await speak(s, file);
      delays.push(r.firstPartialMs);
      console.log(
        `  ${file}: onset ${r.onsetMs} ms, first partial ${r.firstPartialMs.toFixed(0)} ms after the onset frame was sent ` +
          `("${r.firstText}"), ${r.partials} partials (${r.early} before the onset), ${r.finals} finals, ` +
          `last final ${r.finalAfterSpeechMs.toFixed(0)} ms after the last speech frame`,
      );
    }
    const ok = delays.filter((d) => Number.isFinite(d));
    console.log(
      `first-word-to-partial delay over ${ok.length}/${delays.length} calls: min ${Math.min(...ok).toFixed(0)} ms, ` +
        `median ${pct(ok, 0.5).toFixed(0)} ms, max ${Math.max(...ok).toFixed(0)} ms; load ${load()}`,
    );
  } finally {
    await s.close();
  }
}

const cpuModel = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1];
console.log(`node ${process.version}, ${cpuModel}, load ${load()}, sipp work folder ${WORK}`);
await setupRate();
await concurrent();
await partialDelay();
process.exit(0);
