/** Telephony's environment variables (see `hotline --help`). */
import type { Setting, SettingsValues } from '../core/index.js';
import { aclEntryProblem } from './acl.js';

export const TELEPHONY_SETTINGS = [
  {
    env: 'SIP_ENABLED',
    kind: 'bool',
    default: 'true',
    help: 'run the SIP endpoint (false: calls arrive only through the WebSocket ingress)',
  },
  { env: 'SIP_PORT', kind: 'port', default: '5060', help: 'SIP port (UDP and TCP); 0 = any free port' },
  { env: 'SIP_HOST', kind: 'string', default: '0.0.0.0', help: 'address the SIP and RTP sockets bind to' },
  {
    env: 'SIP_ADVERTISE_HOST',
    kind: 'string',
    help: 'address peers reach us at, written into Contact, Via and SDP (default SIP_HOST, or 127.0.0.1 when that is 0.0.0.0)',
  },
  { env: 'SIP_TRANSPORTS', kind: 'list', default: 'udp,tcp', help: 'SIP transports to open: udp, tcp or both' },
  {
    env: 'SIP_TRUNK_ACL',
    kind: 'list',
    default: '127.0.0.1',
    help: 'source addresses (IPv4 or IPv6, single or CIDR, comma-separated; * = any) allowed to place calls without digest',
  },
  { env: 'SIP_AUTH_USER', kind: 'string', help: 'digest user name for peers outside SIP_TRUNK_ACL (unset: such peers get 403)' },
  { env: 'SIP_AUTH_PASSWORD', kind: 'string', help: 'digest password for SIP_AUTH_USER' },
  { env: 'SIP_AUTH_REALM', kind: 'string', default: '12345', help: 'digest realm' },
  { env: 'SIP_MAX_CALLS', kind: 'int', default: '200', min: 1, max: 100000, help: 'concurrent SIP calls; further INVITEs get 503' },
  {
    env: 'SIP_MAX_MESSAGE_BYTES',
    kind: 'int',
    default: '16384',
    min: 1024,
    max: 65535,
    help: 'largest SIP message accepted; larger ones get 513 (TCP: then the connection closes)',
  },
  {
    env: 'SIP_TCP_MAX_CONNECTIONS',
    kind: 'int',
    default: '1024',
    min: 1,
    max: 100000,
    help: 'SIP TCP connections peers may hold open at once, in all; further ones are closed at accept',
  },
  {
    env: 'SIP_TCP_MAX_PER_SOURCE',
    kind: 'int',
    default: '32',
    min: 1,
    max: 100000,
    help: 'SIP TCP connections one source address may hold open at once; further ones are closed at accept',
  },
  {
    env: 'SIP_TCP_IDLE_TIMEOUT_S',
    kind: 'int',
    default: '60',
    min: 1,
    max: 86400,
    help: 'seconds without a byte (CRLF keep-alives count) before a SIP TCP connection without a live call is closed',
  },
  {
    env: 'SIP_MESSAGE_TIMEOUT_S',
    kind: 'int',
    default: '10',
    min: 1,
    max: 600,
    help: 'seconds a SIP message on TCP may take from its first byte to its last before the connection is closed',
  },
  { env: 'SIP_OUTBOUND_TRUNK', kind: 'string', help: 'host[:port][;transport=tcp] of the trunk for outbound calls to plain numbers' },
  { env: 'RTP_PORT_MIN', kind: 'port', default: '20000', help: 'lowest RTP port' },
  { env: 'RTP_PORT_MAX', kind: 'port', default: '29999', help: 'highest RTP port' },
  {
    env: 'RTP_TIMEOUT_S',
    kind: 'int',
    default: '30',
    min: 0,
    max: 3600,
    help: 'seconds without RTP before a call is ended as dead (0 = never)',
  },
  {
    env: 'CALL_OFFER_TIMEOUT_S',
    kind: 'int',
    default: '15',
    min: 1,
    max: 600,
    help: 'seconds an agent has to answer an offered call before it goes to the next agent',
  },
  { env: 'TRANSFER_110_URI', kind: 'string', help: 'SIP URI of the 110 police line (or a plain number routed via SIP_OUTBOUND_TRUNK)' },
  { env: 'TRANSFER_119_URI', kind: 'string', help: 'SIP URI of the 119 fire line' },
  { env: 'TRANSFER_120_URI', kind: 'string', help: 'SIP URI of the 120 ambulance line' },
  {
    env: 'TELEPHONY_GREETING_WAV',
    kind: 'path',
    default: './telephony/prompts/greeting.wav',
    help: 'greeting played to SIP callers (WAV)',
  },
  {
    env: 'TELEPHONY_QUEUE_WAV',
    kind: 'path',
    default: './telephony/prompts/queue.wav',
    help: 'played in a loop while a caller waits or is on hold (WAV)',
  },
  { env: 'INGRESS_TOKEN', kind: 'string', help: 'token PBXs present on the audio ingress WebSockets (?token=); unset = ingress off' },
] as const satisfies readonly Setting[];

export interface TelephonyConfig {
  sipEnabled: boolean;
  sipPort: number;
  sipHost: string;
  advertiseHost: string;
  transports: ('UDP' | 'TCP')[];
  acl: string[];
  auth?: { user: string; password: string; realm: string };
  maxCalls: number;
  maxMessageBytes: number;
  tcp: { maxConnections: number; maxPerSource: number; idleTimeoutMs: number; messageTimeoutMs: number };
  outboundTrunk?: string;
  rtpRange: { min: number; max: number };
  rtpTimeoutMs: number;
  offerTimeoutMs: number;
  emergencyLines: Partial<Record<'110' | '119' | '120', string>>;
  greetingWav: string;
  queueWav: string;
  ingressToken?: string;
}

export type TelephonySettings = SettingsValues<typeof TELEPHONY_SETTINGS>;

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Reads the parsed settings; throws with every problem the parser cannot see (cross-field). */
export function telephonyConfig(values: TelephonySettings): TelephonyConfig {
  const problems: string[] = [];
  const transports = list(values.SIP_TRANSPORTS).map((t) => t.toUpperCase());
  for (const t of transports) if (t !== 'UDP' && t !== 'TCP') problems.push(`SIP_TRANSPORTS has "${t}": use udp, tcp or udp,tcp.`);
  const min = values.RTP_PORT_MIN;
  const max = values.RTP_PORT_MAX;
  if (min >= max || min < 1024) problems.push(`RTP_PORT_MIN=${min} and RTP_PORT_MAX=${max}: give a range above 1023 with MIN below MAX.`);
  const acl = list(values.SIP_TRUNK_ACL);
  for (const a of acl) {
    const problem = aclEntryProblem(a);
    if (problem) problems.push(`SIP_TRUNK_ACL entry ${problem}.`);
  }
  const user = values.SIP_AUTH_USER;
  const password = values.SIP_AUTH_PASSWORD;
  if (Boolean(user) !== Boolean(password)) problems.push('Set both SIP_AUTH_USER and SIP_AUTH_PASSWORD, or neither.');
  const host = values.SIP_HOST;
  const trunk = values.SIP_OUTBOUND_TRUNK;
  const line = (n: '110' | '119' | '120') => {
    const v = values[`TRANSFER_${n}_URI`];
    if (!v) return undefined;
    if (/^sips?:/.test(v)) return v;
    if (!trunk) {
      problems.push(`TRANSFER_${n}_URI=${v} is a number: set SIP_OUTBOUND_TRUNK to route it, or give a SIP URI.`);
      return undefined;
    }
    return trunkUri(v, trunk);
  };
  const emergencyLines = { '110': line('110'), '119': line('119'), '120': line('120') };
  if (problems.length) throw new Error(`Invalid telephony configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return {
    sipEnabled: values.SIP_ENABLED,
    sipPort: values.SIP_PORT,
    sipHost: host,
    advertiseHost: values.SIP_ADVERTISE_HOST || (host === '0.0.0.0' ? '127.0.0.1' : host),
    transports: transports.filter((t): t is 'UDP' | 'TCP' => t === 'UDP' || t === 'TCP'),
    acl,
    auth: user && password ? { user, password, realm: values.SIP_AUTH_REALM } : undefined,
    maxCalls: values.SIP_MAX_CALLS,
    maxMessageBytes: values.SIP_MAX_MESSAGE_BYTES,
    tcp: {
      maxConnections: values.SIP_TCP_MAX_CONNECTIONS,
      maxPerSource: values.SIP_TCP_MAX_PER_SOURCE,
      idleTimeoutMs: values.SIP_TCP_IDLE_TIMEOUT_S * 1000,
      messageTimeoutMs: values.SIP_MESSAGE_TIMEOUT_S * 1000,
    },
    outboundTrunk: trunk,
    rtpRange: { min, max },
    rtpTimeoutMs: values.RTP_TIMEOUT_S * 1000,
    offerTimeoutMs: values.CALL_OFFER_TIMEOUT_S * 1000,
    emergencyLines,
    greetingWav: values.TELEPHONY_GREETING_WAV,
    queueWav: values.TELEPHONY_QUEUE_WAV,
    ingressToken: values.INGRESS_TOKEN || undefined,
  };
}

/** sip:NUMBER@trunk-host:port;params for a plain number dialled through the outbound trunk. */
export function trunkUri(number: string, trunk: string): string {
  return `sip:${number}@${trunk}`;
}
