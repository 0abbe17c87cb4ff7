/**
 * Shared pieces of the telephony tests: free ports, a test server with telephony on
 * them, sipp runs from the scenario templates here, and speech fixtures made with sox.
 * Everything listens and sends on 127.0.0.1 only.
 */
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { MODULES } from '../../app/modules.js';
import type { Engine } from '../../db/testing.js';
import { registerTelephony, type Telephony } from '../../telephony/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
export const SIP_DIR = resolve(import.meta.dirname);
export const SHARED = resolve(import.meta.dirname, '../../../shared');
export const WORK = mkdtempSync(join(tmpdir(), 'hotline-sip-'));

/** A port free on both UDP and TCP at 127.0.0.1 (bound and released). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const udp = createSocket('udp4');
    const port = await new Promise<number>((r) => udp.bind(0, '127.0.0.1', () => r(udp.address().port)));
    const ok = await new Promise<boolean>((r) => {
      const tcp = createServer();
      tcp.once('error', () => r(false));
      tcp.listen(port, '127.0.0.1', () => tcp.close(() => r(true)));
    });
    udp.close();
    if (ok && port < 60000) return port;
  }
  throw new Error('no free port');
}

/** An RTP range of 200 ports unlikely to be used by another test file. */
export function rtpRange(): { min: number; max: number } {
  const min = 30000 + Math.floor(Math.random() * 140) * 200;
  return { min, max: min + 198 };
}

export interface TelServer extends TestServer {
  sipPort: number;
  telephony: Telephony;
}

/**
 * A test server with telephony; `telephony` is its call centre and SIP endpoint (the module
 * decorates only its own encapsulated context, so the root app does not show it).
 */
export async function startTelServer(engine: Engine, env: Record<string, string> = {}): Promise<TelServer> {
  const sipPort = await freePort();
  const rtp = rtpRange();
  let telephony: Telephony | undefined;
  const server = await startTestServer(engine, {
    env: {
      SIP_PORT: String(sipPort),
      SIP_HOST: '127.0.0.1',
      RTP_PORT_MIN: String(rtp.min),
      RTP_PORT_MAX: String(rtp.max),
      ASR_ENGINE: 'none',
      ...env,
    },
    modules: MODULES.map((m) =>
      m.name === 'telephony'
        ? {
            name: m.name,
            register: async (app, ctx, config) => {
              telephony = await registerTelephony(app, ctx, config.values);
            },
          }
        : m,
    ),
  });
  return Object.assign(server, { sipPort, telephony: telephony as unknown as Telephony });
}

/** Fills a scenario template ({{NAME}} placeholders) and writes it to the work folder. */
export function scenario(name: string, vars: Record<string, string> = {}): string {
  let xml = readFileSync(join(SIP_DIR, name), 'utf8');
  for (const [k, v] of Object.entries(vars)) xml = xml.replaceAll(`{{${k}}}`, v);
  const out = join(WORK, `${Math.random().toString(36).slice(2)}-${name}`);
  writeFileSync(out, xml);
  return out;
}

export interface SippResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs sipp to `port` with a scenario file (or built-in name) and waits for it to finish. */
export async function sipp(args: {
  target: number;
  scenario: string;
  calls?: number;
  extra?: string[];
  timeoutS?: number;
}): Promise<SippResult> {
  const localPort = await freePort();
  const scen = args.scenario.endsWith('.xml') ? ['-sf', args.scenario] : ['-sn', args.scenario];
  const mediaPort = String(20000 + Math.floor(Math.random() * 8000) * 2);
  const argv = [
    `127.0.0.1:${args.target}`,
    ...scen,
    '-i',
    '127.0.0.1',
    '-p',
    String(localPort),
    '-mp',
    mediaPort,
    '-m',
    String(args.calls ?? 1),
    '-nostdin',
    '-timeout',
    `${args.timeoutS ?? 60}s`,
    '-timeout_error',
    '-trace_err',
    '-error_file',
    join(WORK, `sipp-${mediaPort}-errors.log`),
    ...(args.extra ?? []),
  ];
  return new Promise((resolvePromise) => {
    const child = spawn('sipp', argv, { cwd: WORK });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => {
      let errors = '';
      try {
        errors = readFileSync(join(WORK, `sipp-${mediaPort}-errors.log`), 'utf8');
      } catch {}
      resolvePromise({ code, stdout, stderr: stderr + errors });
    });
  });
}

/** Starts sipp in the background (a UAS standing in for 110); `stop()` ends it. */
export function sippServer(args: { port: number; scenario: string; extra?: string[] }) {
  const scen = args.scenario.endsWith('.xml') ? ['-sf', args.scenario] : ['-sn', args.scenario];
  const mediaPort = String(20000 + Math.floor(Math.random() * 8000) * 2);
  const child = spawn(
    'sipp',
    [
      ...scen,
      '-i',
      '127.0.0.1',
      '-p',
      String(args.port),
      '-mp',
      mediaPort,
      '-nostdin',
      '-trace_err',
      '-error_file',
      join(WORK, `uas-${args.port}.log`),
      ...(args.extra ?? []),
    ],
    {
      cwd: WORK,
    },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  return {
    output: () => out,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('close', () => r());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A speech file of ../shared/speech as 8 kHz µ-law WAV (what sipp's rtp_stream plays);
 * with `times` > 1 the recording is said again after 1.5 s of silence, as a caller repeats.
 * No dither (-D): sox dithers with random noise by default, so every conversion differed
 * in the last bit, and PocketSphinx heard the same clip differently from run to run.
 */
export async function ulawWav(file: string, times = 1): Promise<string> {
  const out = join(WORK, file.replace(/\.wav$/, times > 1 ? `.x${times}.ulaw.wav` : '.ulaw.wav'));
  const repeat = times > 1 ? ['pad', '0', '1.5', 'repeat', String(times - 1)] : [];
  await run('sox', ['-D', join(SHARED, 'speech', file), '-r', '8000', '-c', '1', '-e', 'u-law', '-b', '8', out, ...repeat]);
  return out;
}

/** Raw 16-bit PCM of a speech file at `rate`. */
export async function rawPcm(file: string, rate: 8000 | 16000): Promise<Buffer> {
  const out = join(WORK, `${file}.${rate}.raw`);
  await run('sox', ['-D', join(SHARED, 'speech', file), '-r', String(rate), '-c', '1', '-e', 'signed', '-b', '16', '-t', 'raw', out]);
  return readFileSync(out);
}

/** Polls `fn` until it returns a value (not undefined) or the time is up. */
export async function until<T>(fn: () => Promise<T | undefined>, timeoutMs = 15000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET /api/calls/:id as the supervisor once the call has ended. */
export async function endedCall(s: TestServer, id: number, timeoutMs = 20000) {
  return until(
    async () => {
      const r = await s.request('supervisor', { method: 'GET', url: `/api/calls/${id}` });
      const body = r.json();
      return body.state === 'ended' ? body : undefined;
    },
    timeoutMs,
    `call ${id} to end`,
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A bare SIP peer on a UDP socket for protocol-level tests (raw messages, exact replies). */
export async function rawPeer() {
  const sock = createSocket('udp4');
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  const inbox: string[] = [];
  const waiters: (() => void)[] = [];
  sock.on('message', (m) => {
    inbox.push(m.toString('utf8'));
    for (const w of waiters.splice(0)) w();
  });
  return {
    port,
    inbox,
    send(text: string | Buffer, to: number) {
      sock.send(typeof text === 'string' ? text.replace(/\r?\n/g, '\r\n') : text, to, '127.0.0.1');
    },
    /** The next message matching `re` (removed from the inbox), or undefined after `ms`. */
    async next(re: RegExp, ms = 3000): Promise<string | undefined> {
      const end = Date.now() + ms;
      for (;;) {
        const i = inbox.findIndex((m) => re.test(m));
        if (i >= 0) return inbox.splice(i, 1)[0];
        const left = end - Date.now();
        if (left <= 0) return undefined;
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
    close: () => sock.close(),
  };
}

let branchSeq = 0;
/** An INVITE with an SDP offer from a raw peer. */
export function invite(o: { from: number; to: number; callId: string; caller?: string; headers?: string[]; rtpPort?: number }): string {
  const sdp = [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${o.rtpPort ?? 40000} RTP/AVP 8 0 101`,
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    '',
  ].join('\r\n');
  return [
    `INVITE sip:12345@127.0.0.1:${o.to} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${o.from};branch=z9hG4bK-raw-${++branchSeq}`,
    `From: <sip:${o.caller ?? '13900001111'}@127.0.0.1:${o.from}>;tag=raw${branchSeq}`,
    `To: <sip:12345@127.0.0.1:${o.to}>`,
    `Call-ID: ${o.callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:caller@127.0.0.1:${o.from}>`,
    'Max-Forwards: 70',
    ...(o.headers ?? []),
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');
}

/** ACK or BYE in the dialog a 200 OK to `inv` set up. */
export function inDialog(method: 'ACK' | 'BYE', inv: string, ok: string, from: number, to: number, cseq: number): string {
  const h = (name: string, text: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(text)?.[1] ?? '';
  return [
    `${method} sip:hotline@127.0.0.1:${to} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${from};branch=z9hG4bK-raw-${++branchSeq}`,
    `From: ${h('From', inv)}`,
    `To: ${h('To', ok)}`,
    `Call-ID: ${h('Call-ID', inv)}`,
    `CSeq: ${cseq} ${method}`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Places a call from a raw peer: INVITE, 200, ACK. Returns what is needed to hang up. */
export async function rawCall(
  peer: Awaited<ReturnType<typeof rawPeer>>,
  to: number,
  callId: string,
  headers: string[] = [],
  rtpPort?: number,
) {
  const inv = invite({ from: peer.port, to, callId, headers, rtpPort });
  peer.send(inv, to);
  const ok = await peer.next(new RegExp(`^SIP/2.0 [2-6]\\d\\d[\\s\\S]*Call-ID: ${callId}`, 'm'), 5000);
  if (!ok?.startsWith('SIP/2.0 200')) throw new Error(`call ${callId} not answered: ${ok?.split('\r\n')[0]}`);
  peer.send(inDialog('ACK', inv, ok, peer.port, to, 1), to);
  return {
    invite: inv,
    ok,
    hangup: async () => {
      peer.send(inDialog('BYE', inv, ok, peer.port, to, 2), to);
      return peer.next(/^SIP\/2.0 200[\s\S]*CSeq: 2 BYE/m);
    },
  };
}

/** A desk tab of `user` on the server listening at `base` (ws://…): the events /ws/events delivers. */
export async function deskEvents(s: TestServer, base: string, user: string) {
  const cookie = await s.login(user);
  const ws = new WebSocket(`${base}/ws/events`, { headers: { cookie } });
  const events: { type: string; payload: Record<string, unknown>; receivedAt: number }[] = [];
  ws.on('message', (data) => {
    const f = JSON.parse(String(data));
    if (f.kind === 'event') events.push({ type: f.type, payload: f.payload, receivedAt: Date.now() });
  });
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  return { ws, events };
}

/**
 * A telephony server whose emergency `line` is a sipp UAS on a port of its own (standing in
 * for 110/119/120), listening on 127.0.0.1 so desk tabs can connect (`desk(user)`).
 */
export async function startWithEmergencyLine(line: '110' | '119' | '120', env: Record<string, string> = {}) {
  const uasPort = await freePort();
  const uas = sippServer({ port: uasPort, scenario: 'uas' });
  const lineUri = `sip:${line}@127.0.0.1:${uasPort}`;
  const s = await startTelServer('pglite', {
    [`TRANSFER_${line}_URI`]: lineUri,
    RTP_TIMEOUT_S: '0',
    DISPATCH_DEADLINE_CHECK_SECONDS: '0',
    ...env,
  });
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `ws://127.0.0.1:${(s.app.server.address() as { port: number }).port}`;
  return {
    s,
    lineUri,
    desk: (user: string) => deskEvents(s, base, user),
    async close() {
      await s.close();
      await uas.stop();
    },
  };
}

/** A raw SIP-over-TCP client: what it received, and whether (and when) the server closed it. */
export async function tcpPeer(port: number) {
  const sock = connect(port, '127.0.0.1');
  let got = '';
  let closedAt: number | undefined;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  sock.on('data', (d) => {
    got += d;
    wake();
  });
  sock.on('error', () => {});
  sock.on('close', () => {
    closedAt = Date.now();
    wake();
  });
  await new Promise<void>((r) => {
    sock.once('connect', () => r());
    sock.once('close', () => r());
  });
  const openedAt = Date.now();
  const wait = async (done: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!done() && Date.now() < end) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, end - Date.now());
        waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  };
  return {
    sock,
    openedAt,
    get received() {
      return got;
    },
    get closed() {
      return closedAt !== undefined;
    },
    get closedAfterMs() {
      return closedAt === undefined ? undefined : closedAt - openedAt;
    },
    send(text: string | Buffer) {
      if (!sock.destroyed) sock.write(typeof text === 'string' ? text.replace(/\r?\n/g, '\r\n') : text);
    },
    /** Waits until a reply matching `re` arrived (returns it) or `ms` passed. */
    async next(re: RegExp, ms = 3000): Promise<string | undefined> {
      await wait(() => re.test(got) || closedAt !== undefined, ms);
      return re.test(got) ? got : undefined;
    },
    /** Waits until the server closed the connection or `ms` passed; true when it closed. */
    async whenClosed(ms = 3000): Promise<boolean> {
      await wait(() => closedAt !== undefined, ms);
      return closedAt !== undefined;
    },
    close: () => sock.destroy(),
  };
}

/** Over TCP, the same messages as over UDP: the Via says so. */
export const overTcp = (text: string) => text.replace(/SIP\/2\.0\/UDP/g, 'SIP/2.0/TCP');

/** An answer to `req` (an INVITE or in-dialog request a raw peer received), with an optional SDP body. */
export function answer(req: string, status: string, o: { body?: string; contactPort?: number } = {}): string {
  const lines = req.split('\r\n');
  const head = lines.filter((l) => /^(Via|From|Call-ID|CSeq):/i.test(l));
  const to = lines.find((l) => /^To:/i.test(l)) ?? 'To: <sip:x@127.0.0.1>';
  const body = o.body ?? '';
  return [
    `SIP/2.0 ${status}`,
    ...head,
    /;tag=/.test(to) ? to : `${to};tag=uas${++branchSeq}`,
    ...(o.contactPort ? [`Contact: <sip:uas@127.0.0.1:${o.contactPort}>`] : []),
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** An SDP body from a raw peer: audio on `port` (0 declines it) with `codecs` (default PCMU). */
export function sdp(port: number, codecs = 'RTP/AVP 0\r\na=rtpmap:0 PCMU/8000'): string {
  return ['v=0', 'o=- 2 2 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} ${codecs}`, ''].join('\r\n');
}
