/**
 * SDP offer/answer (RFC 3264) for audio calls: G.711 µ-law/A-law plus RFC 4733
 * telephone-event. Only what a phone trunk sends is understood; anything else in
 * the offer is ignored rather than refused, as SIP peers expect.
 */
import type { G711 } from './g711.js';

export interface MediaOffer {
  address: string;
  port: number;
  /** Payload types in the peer's order of preference. */
  payloadTypes: number[];
  /** Payload type → encoding name in lower case ('pcmu', 'pcma', 'telephone-event'). */
  encodings: Map<number, string>;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
}

export interface Negotiated {
  codec: G711;
  payloadType: number;
  /** The peer's telephone-event payload type, when it offered one. */
  dtmfPayloadType?: number;
  remoteAddress: string;
  remotePort: number;
  direction: MediaOffer['direction'];
}

export class SdpError extends Error {}

const STATIC: Record<number, string> = { 0: 'pcmu', 8: 'pcma' };

export function parseSdp(text: string): MediaOffer {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  let sessionAddress = '';
  let media: MediaOffer | undefined;
  let direction: MediaOffer['direction'] = 'sendrecv';
  for (const line of lines) {
    if (line.startsWith('c=')) {
      const parts = line.slice(2).split(/\s+/);
      const addr = parts[2]?.split('/')[0] ?? '';
      if (media) media.address = addr;
      else sessionAddress = addr;
    } else if (line.startsWith('m=')) {
      if (media) break; // only the first audio stream is used
      const [kind, port, , ...fmts] = line.slice(2).split(/\s+/);
      if (kind !== 'audio') continue;
      const payloadTypes = fmts.map(Number).filter((n) => Number.isInteger(n) && n >= 0 && n < 128);
      const encodings = new Map<number, string>();
      for (const pt of payloadTypes) if (STATIC[pt]) encodings.set(pt, STATIC[pt]);
      media = { address: sessionAddress, port: Number(port), payloadTypes, encodings, direction };
    } else if (line.startsWith('a=rtpmap:') && media) {
      const m = /^a=rtpmap:(\d+)\s+([^/\s]+)\/(\d+)/.exec(line);
      if (m) media.encodings.set(Number(m[1]), (m[2] as string).toLowerCase());
    } else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)) {
      const d = line.slice(2) as MediaOffer['direction'];
      if (media) media.direction = d;
      else direction = d;
    }
  }
  if (!media) throw new SdpError('the SDP has no audio stream (m=audio)');
  if (!Number.isInteger(media.port) || media.port < 0 || media.port > 65535) throw new SdpError('the SDP audio port is not a number');
  if (!media.address) throw new SdpError('the SDP has no connection address (c=)');
  return media;
}

/** Picks the first G.711 codec of the offer, and its telephone-event type. */
export function negotiate(offer: MediaOffer): Negotiated {
  // Port 0 is a legal offer that declines the stream (RFC 3264 §5.1): no audio to answer with.
  if (offer.port === 0) throw new SdpError('the audio stream is declined (m=audio 0): a hotline call needs audio');
  const pt = offer.payloadTypes.find((p) => offer.encodings.get(p) === 'pcmu' || offer.encodings.get(p) === 'pcma');
  if (pt === undefined) throw new SdpError('no common codec: this endpoint speaks PCMU and PCMA only');
  const dtmf = offer.payloadTypes.find((p) => offer.encodings.get(p) === 'telephone-event');
  return {
    codec: offer.encodings.get(pt) as G711,
    payloadType: pt,
    dtmfPayloadType: dtmf,
    remoteAddress: offer.address,
    remotePort: offer.port,
    direction: offer.direction,
  };
}

const ANSWER_DIRECTION: Record<MediaOffer['direction'], MediaOffer['direction']> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

let sessionVersion = 1;

/** An SDP body: an answer to `neg` or, without `neg`, an offer of both codecs and DTMF. */
export function buildSdp(opts: {
  address: string;
  port: number;
  neg?: Negotiated;
  /** Direction to state (an answer mirrors the offer's unless given). */
  direction?: MediaOffer['direction'];
}): string {
  const { address, port, neg } = opts;
  const direction = opts.direction ?? (neg ? ANSWER_DIRECTION[neg.direction] : 'sendrecv');
  const id = Date.now();
  const lines = ['v=0', `o=hotline ${id} ${sessionVersion++} IN IP4 ${address}`, 's=12345 Hotline', `c=IN IP4 ${address}`, 't=0 0'];
  if (neg) {
    const pts = [neg.payloadType, ...(neg.dtmfPayloadType !== undefined ? [neg.dtmfPayloadType] : [])];
    lines.push(`m=audio ${port} RTP/AVP ${pts.join(' ')}`);
    lines.push(`a=rtpmap:${neg.payloadType} ${neg.codec === 'pcmu' ? 'PCMU' : 'PCMA'}/8000`);
    if (neg.dtmfPayloadType !== undefined) {
      lines.push(`a=rtpmap:${neg.dtmfPayloadType} telephone-event/8000`, `a=fmtp:${neg.dtmfPayloadType} 0-15`);
    }
  } else {
    lines.push(
      `m=audio ${port} RTP/AVP 0 8 101`,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15',
    );
  }
  lines.push('a=ptime:20', `a=${direction}`);
  return `${lines.join('\r\n')}\r\n`;
}
