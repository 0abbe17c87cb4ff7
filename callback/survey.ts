/**
 * The automated survey call: rings the citizen through the SIP trunk, plays the recorded
 * question and waits for one key (RFC 4733 DTMF): 1 满意, 2 基本满意, 3 不满意.
 */
import { existsSync } from 'node:fs';
import { type CallLeg, readPromptPcm8k } from '../telephony/index.js';
import type { SurveyAnswer, SurveyDialer } from './runner.js';

/** Places a SIP call to a URI; telephony's SipEndpoint.call in the server. */
export type PlaceCall = (uri: string, opts: { timeoutMs: number }) => Promise<CallLeg>;

/** The prompt as 8 kHz 16-bit mono PCM (a PCM or G.711 WAV of 8 or 16 kHz). Throws a message that names the file. */
export function readPrompt(path: string): Buffer {
  if (!existsSync(path)) throw new Error(`survey prompt ${path} not found: run callback/prompts/make-prompt.sh or set CALLBACK_SURVEY_WAV`);
  return readPromptPcm8k(path);
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
