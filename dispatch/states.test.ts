import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dispatchSettingsFrom } from './settings.js';
import { ACTIONS, allowedActions, FINAL_STATES, RULES, STATES } from './states.js';

test('the action table names only known states and roles, and final states offer only reopen', () => {
  for (const a of ACTIONS) {
    const r = RULES[a];
    assert.ok(r.from.length > 0, a);
    for (const s of r.from) assert.ok(STATES.includes(s), `${a} from ${s}`);
    assert.ok(r.to === 'same' || STATES.includes(r.to), `${a} to ${r.to}`);
    assert.ok(r.roles.length > 0, a);
  }
  for (const s of FINAL_STATES) {
    assert.deepEqual(
      allowedActions(s, 'admin').filter((a) => a !== 'reopen'),
      [],
      `${s} is final`,
    );
  }
  assert.deepEqual(allowedActions('pending_dispatch', 'dispatcher'), ['dispatch', 'merge', 'close', 'refer_110']);
  assert.deepEqual(allowedActions('in_progress', 'handler'), ['reply', 'return', 'request_extension', 'forward']);
  assert.deepEqual(allowedActions('callback_pending', 'callback'), ['close', 'reopen']);
  assert.deepEqual(allowedActions('dispatched', 'agent'), ['refer_110']);
});

test('settings: defaults, parsed values, and a bad working-hours value named in the error', () => {
  const d = dispatchSettingsFrom({});
  assert.deepEqual(d.workHours, [
    [540, 720],
    [810, 1050],
  ]);
  assert.equal(d.nearDeadlineShare, 0.8);
  assert.deepEqual(d.open311Keys, []);
  assert.deepEqual(dispatchSettingsFrom({ OPEN311_API_KEYS: ' a, b ,,' }).open311Keys, ['a', 'b']);
  assert.throws(() => dispatchSettingsFrom({ DISPATCH_WORK_HOURS: '9-5' }), /DISPATCH_WORK_HOURS="9-5" is not valid/);
});
