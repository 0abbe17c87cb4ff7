/**
 * Telephony figures, driven by sipp on 127.0.0.1 against the real endpoint (embedded PGlite):
 * 1. call setups per second (INVITE/200/ACK/BYE, each call recorded) with no failed calls;
 * 2. concurrent calls with 20 ms PCMU RTP both ways sustained, and server CPU per call;
 * 3. delay from the first spoken word (RTP in real time) to its first partial on the bus
 *    (PocketSphinx).
 * Run: node --import tsx bench/telephony-sip.ts [rates=20,50,100] [concurrent=20,50,100]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { scenario, sipp, startTelServer, ulawWav } from '../test/sip/harness.js';

const rates = (process.argv[2] ?? '20,50,100').split(',').map(Number);
const concurrency = (process.argv[3] ?? '20,50,100').split(',').map(Number);

function stat(out: string, name: string): number {
  const m = new RegExp(`${name}\\s*\\|[^|]*\\|\\s*(\\d+)`).exec(out);
  return m ? Number(m[1]) : Number.NaN;
}

async function setupRate() {
  const s = await startTelServer('pglite', {
    SIP_MAX_CALLS: '2000',
    RTP_TIMEOUT_S: '0',
    TELEPHONY_GREETING_WAV: '/nonexistent',
    TELEPHONY_QUEUE_WAV: '/nonexistent',
  });
  try {
    for (const rate of rates) {
      const calls = rate * 10;
      const t0 = Date.now();
      const r = await sipp({ target: s.sipPort, scenario: 'uac', calls, extra: ['-r', String(rate), '-d', '0'], timeoutS: 120 });
      const secs = (Date.now() - t0) / 1000;
      console.log(
        `setup rate ${rate}/s: ${stat(r.stdout, 'Successful call')} ok, ${stat(r.stdout, 'Failed call')} failed of ${calls} in ${secs.toFixed(1)} s`,
      );
    }
  } finally {
    await s.close();
  }
}

async function concurrent() {
  const wav = await ulawWav('wenetspeech_TEST_NET_Y0000000000_-KTKHdZ2fb8_S00000.wav');
  const s = await startTelServer('pglite', { SIP_MAX_CALLS: '2000', RTP_TIMEOUT_S: '10' });
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
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      // All n calls start within ~1 s and overlap for holdMs with RTP both ways (the greeting
      // and queue prompts are played to every caller while it waits).
      const r = await sipp({ target: s.sipPort, scenario: xml, calls: n, extra: ['-r', String(n), '-l', String(n)], timeoutS: 120 });
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      const cpuS = (cpu.user + cpu.system) / 1e6;
      console.log(
        `${n} concurrent calls x ${holdMs / 1000} s RTP: ${stat(r.stdout, 'Successful call')} ok, ${stat(r.stdout, 'Failed call')} failed; server CPU ${cpuS.toFixed(1)} s over ${wallS.toFixed(1)} s = ${((100 * cpuS) / wallS).toFixed(0)}% of one core, ${((1000 * cpuS) / wallS / n).toFixed(1)} ms CPU per call-second`,
      );
    }
  } finally {
    await s.close();
  }
}

/** Time from the first voiced 20 ms frame of the file to the first partial on the bus. */
async function partialDelay() {
  const file = 'aishell-sample_BAC009S0150W0086.wav';
  const wav = await ulawWav(file);
  const raw = execFileSync('sox', [wav, '-t', 'raw', '-e', 'signed', '-b', '16', '-']);
  let onsetMs = 0;
  for (let f = 0; f * 320 < raw.length; f++) {
    let e = 0;
    for (let i = f * 320; i < Math.min(raw.length, f * 320 + 320); i += 2) e += Math.abs(raw.readInt16LE(i));
    if (e / 160 > 800) {
      onsetMs = f * 20;
      break;
    }
  }
  const s = await startTelServer('pglite', { ASR_ENGINE: 'pocketsphinx', ASR_POOL_SIZE: '2' });
  try {
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      let arrived = 0;
      let firstPartial = 0;
      const offs = [
        s.bus.subscribe('call.arrived', () => {
          arrived = performance.now();
        }),
        s.bus.subscribe('call.transcript', () => {
          firstPartial ||= performance.now();
        }),
      ];
      // The first caller audio is the file's start: sipp starts rtp_stream after 1 s.
      const xml = scenario('uac-speech.xml', {
        CALLER: '13800000000',
        PRIORITY: 'Subject: bench',
        WAIT_MS: '1000',
        TALK_MS: '6000',
        WAV: wav,
      });
      await sipp({ target: s.sipPort, scenario: xml });
      for (const off of offs) off();
      // The first RTP packet leaves WAIT_MS (1000 ms) after the call is set up (arrival).
      if (firstPartial && arrived) delays.push(firstPartial - (arrived + 1000 + onsetMs));
    }
    console.log(`first-word-to-partial delay (${file}, word onset at ${onsetMs} ms): ${delays.map((d) => d.toFixed(0)).join(', ')} ms`);
  } finally {
    await s.close();
  }
}

const cpuModel = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1];
console.log(`node ${process.version}, ${cpuModel}`);
await setupRate();
await concurrent();
await partialDelay();
process.exit(0);
