/**
 * The watch's fusion of what is heard and what is read, on the bus as telephony feeds it
 * (the keyword spotter itself is tested on real audio in asr/sherpa/engine.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import '../telephony/events.js';
import { checkEmergency, defaultEmergencyRules } from '../classifier/index.js';
import { createLocalBus } from '../core/events.js';
import { spokenRules } from './spoken.js';
import { type EmergencyAlert, startEmergencyWatch } from './watch.js';

function setup() {
  const bus = createLocalBus();
  const spoken = spokenRules(defaultEmergencyRules());
  const watch = startEmergencyWatch({ bus, check: checkEmergency, autoTransferPatterns: new Set(), spoken: () => spoken });
  const alerts: EmergencyAlert[] = [];
  bus.subscribe('emergency.alert', (a) => {
    alerts.push(a);
  });
  bus.publish('call.answered', { callId: 1, agentId: 7, queueWaitMs: 0 });
  return { bus, watch, alerts };
}

const transcript = (callId: number, text: string, final: boolean, startMs = 0) =>
  ({ callId, leg: 'caller', seq: 1, text, final, startMs, endMs: startMs + 1000 }) as const;

test('a phrase heard in the audio alerts at once, even when the transcript has another word, and says it was heard', () => {
  const { bus, watch, alerts } = setup();
  // The recogniser wrote 激活 where the caller said 起火.
  bus.publish('call.transcript', transcript(1, '车辆激活', false));
  bus.publish('call.keyword', { callId: 1, leg: 'caller', keyword: '起火', startMs: 1280, endMs: 1600 });
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]!.line, '119');
  assert.deepEqual(alerts[0]!.detectedBy, ['speech']);
  assert.equal(alerts[0]!.atMs, 1280);
  assert.equal(alerts[0]!.agentId, 7);
  assert.match(alerts[0]!.reason, /听到「起火」/);
  // The transcript's rule hit for the same line does not alert twice.
  bus.publish('call.transcript', transcript(1, '车辆起火了', true));
  assert.equal(alerts.length, 1);
  watch.stop();
});

test('the rules on the transcript alert with their source; a phrase the transcript has in an ordinary sense does not', () => {
  const { bus, watch, alerts } = setup();
  bus.publish('call.transcript', transcript(1, '有人持刀', true, 3000));
  assert.deepEqual(alerts[0]?.detectedBy, ['text']);
  assert.equal(alerts[0]?.atMs, 3000);
  // A phrase no rule has: nothing. A caller still in the queue: an alert with no agent yet.
  bus.publish('call.keyword', { callId: 1, leg: 'caller', keyword: '你好', startMs: 0, endMs: 100 });
  assert.equal(alerts.length, 1);
  bus.publish('call.keyword', { callId: 2, leg: 'caller', keyword: '起火', startMs: 0, endMs: 100 });
  assert.equal(alerts.length, 2);
  assert.equal(alerts[1]!.agentId, null);
  assert.equal(alerts[1]!.line, '119');
  watch.stop();
});

test('a phrase heard where the transcript has it in an ordinary sense does not alert; one line alerts once per call', () => {
  const { bus, watch, alerts } = setup();
  bus.publish('call.transcript', transcript(1, '我想问一下去年那场火灾的赔偿', false));
  bus.publish('call.keyword', { callId: 1, leg: 'caller', keyword: '火灾', startMs: 900, endMs: 1300 });
  assert.equal(alerts.length, 0);
  bus.publish('call.keyword', { callId: 1, leg: 'caller', keyword: '持刀', startMs: 5000, endMs: 5400 });
  bus.publish('call.keyword', { callId: 1, leg: 'caller', keyword: '砍人', startMs: 6000, endMs: 6400 });
  assert.equal(alerts.length, 1, 'one 110 alert per call');
  watch.stop();
});
