/**
 * G.711 for RTP payloads, as Buffers of 16-bit little-endian PCM. The codec itself is asr's
 * (one implementation of ITU-T G.711 in the product); this adapts it to the byte buffers
 * the RTP session and the ingress sockets pass around.
 */
import { ALAW_TABLE, linearToAlaw, linearToUlaw, MULAW_TABLE } from '../asr/index.js';

export { alawToLinear, linearToAlaw, linearToUlaw, ulawToLinear } from '../asr/index.js';

export type G711 = 'pcmu' | 'pcma';

/** Decodes G.711 bytes to 16-bit little-endian PCM. */
export function decodeG711(codec: G711, payload: Uint8Array): Buffer {
  const table = codec === 'pcmu' ? MULAW_TABLE : ALAW_TABLE;
  const out = Buffer.allocUnsafe(payload.length * 2);
  for (let i = 0; i < payload.length; i++) out.writeInt16LE(table[payload[i] as number] as number, i * 2);
  return out;
}

/** Encodes 16-bit little-endian PCM to G.711 bytes. */
export function encodeG711(codec: G711, pcm: Buffer): Buffer {
  const n = pcm.length >> 1;
  const out = Buffer.allocUnsafe(n);
  const enc = codec === 'pcmu' ? linearToUlaw : linearToAlaw;
  for (let i = 0; i < n; i++) out[i] = enc(pcm.readInt16LE(i * 2));
  return out;
}
