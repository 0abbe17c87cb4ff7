/**
 * The automated survey call: rings the citizen through the SIP trunk, plays the recorded
 * question and waits for one key (RFC 4733 DTMF): 1 满意, 2 基本满意, 3 不满意.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { CallLeg } from '../telephony/index.js';
import type { SurveyAnswer, SurveyDialer } from './runner.js';

/** Places a SIP call to a URI; telephony's SipEndpoint.call in the server. */
export type PlaceCall = (uri: string, opts: { timeoutMs: number }) => Promise<CallLeg>;

/** The prompt as 8 kHz 16-bit mono PCM; reads a PCM WAV of 8 or 16 kHz. Throws a message that names the file. */
export function readPrompt(path: string): Buffer {
  if (!existsSync(path)) throw new Error(`survey prompt ${path} not found: run callback/prompts/make-prompt.sh or set CALLBACK_SURVEY_WAV`);
  const wav = readFileSync(path);
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path} is not a WAV file`);
  let fmt: { channels: number; rate: number; bits: number; format: number } | undefined;
  for (let at = 12; at + 8 <= wav.length; ) {
    const id = wav.toString('ascii', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      fmt = {
        format: wav.readUInt16LE(body),
        channels: wav.readUInt16LE(body + 2),
        rate: wav.readUInt32LE(body + 4),
        bits: wav.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (fmt?.format !== 1 || fmt.channels !== 1 || fmt.bits !== 16 || (fmt.rate !== 8000 && fmt.rate !== 16000)) {
        throw new Error(`${path} must be 16-bit PCM mono at 8 or 16 kHz (convert it: sox in.wav -r 8000 -c 1 -b 16 out.wav)`);
      }
      const pcm = wav.subarray(body, Math.min(body + size, wav.length));
      if (fmt.rate === 8000) return Buffer.from(pcm);
      // 16 kHz: average sample pairs (a crude low-pass good enough for a spoken prompt).
      const out = Buffer.alloc(Math.floor(pcm.length / 4) * 2);
      for (let i = 0; i < out.length / 2; i++) out.writeInt16LE((pcm.readInt16LE(i * 4) + pcm.readInt16LE(i * 4 + 2)) >> 1, i * 2);
      return out;
    }
    at = body + size + (size & 1);
  }
  throw new Error(`${path} has no audio data`);
}

/** `{phone}` in the URI template becomes the citizen's number (digits and + only). */
export function surveyTarget(template: string, phone: string): string {
  const clean = phone.replace(/[^\d+]/g, '');
  if (!clean) throw new Error(`"${phone}" has no digits to dial`);
  return template.replaceAll('{phone}', clean);
}

export function surveyDialer(o: { placeCall: PlaceCall; uriTemplate: string; prompt: Buffer | undefined; answerMs: number }): SurveyDialer {
  return async (phone) => {
    let leg: CallLeg;
    try {
      leg = await o.placeCall(surveyTarget(o.uriTemplate, phone), { timeoutMs: o.answerMs });
    } catch {
      // Busy, rejected or no answer in time: one unanswered attempt.
      return { answered: false };
    }
    return new Promise<SurveyAnswer>((resolve) => {
      let done = false;
      const finish = (answer: SurveyAnswer) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        leg.clearAudio();
        leg.hangup().catch(() => {});
        resolve(answer);
      };
      leg.events.onDtmf = (digit) => {
        if (digit === '1' || digit === '2' || digit === '3') finish({ answered: true, digit });
      };
      leg.events.onEnded = () => finish({ answered: true });
      const promptMs = o.prompt ? (o.prompt.length / 16_000) * 1000 : 0;
      const timer = setTimeout(() => finish({ answered: true }), promptMs + o.answerMs);
      leg.start();
      if (o.prompt) leg.sendPcm(o.prompt);
    });
  };
}
