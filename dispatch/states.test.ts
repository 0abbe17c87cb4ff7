import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dispatchSettingsFrom } from './settings.js';
import { ACTIONS, allowedActions, FINAL_STATES, RULES, roleRefusal, STATES } from './states.js';

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
  assert.deepEqual(allowedActions('dispatched', 'agent', true), [], 'a department works on it: not the agent who took it');
  assert.deepEqual(allowedActions('intake', 'agent', true), ['resolve_on_call', 'submit', 'refer_110']);
  assert.deepEqual(allowedActions('intake', 'agent', false), ['resolve_on_call', 'submit']);
  assert.deepEqual(allowedActions('pending_dispatch', 'callback'), [], 'callback staff do not close unhandled cases');
  assert.deepEqual(allowedActions('returned', 'callback'), []);
  assert.deepEqual(allowedActions('returned', 'dispatcher'), ['dispatch', 'merge', 'supervise', 'close', 'refer_110']);
});

test('narrower rules for some roles say who may instead', () => {
  assert.equal(roleRefusal('close', 'pending_dispatch', 'callback', false)?.code, 'ACTION_LIMITED_FOR_ROLE');
  assert.equal(roleRefusal('close', 'callback_pending', 'callback', false), null);
  assert.match(
    roleRefusal('close', 'pending_dispatch', 'callback', false)?.message ?? '',
    /^Role callback \(回访员\) may 'close' \(结案\) only a case that is 待回访; this one is 待派单: allowed for dispatcher \(派单员\), supervisor \(值班长\), admin/,
  );
  assert.equal(roleRefusal('refer_110', 'intake', 'agent', true), null);
  assert.equal(roleRefusal('refer_110', 'pending_dispatch', 'agent', true), null);
  assert.match(
    roleRefusal('refer_110', 'intake', 'agent', false)?.message ?? '',
    /only a case they took .*you did not take this case: allowed for dispatcher/,
  );
  assert.match(
    roleRefusal('refer_110', 'in_progress', 'agent', true)?.message ?? '',
    /this one is 办理中: allowed for dispatcher \(派单员\), supervisor \(值班长\), admin/,
  );
  for (const state of ['intake', 'pending_dispatch', 'dispatched', 'in_progress', 'returned'] as const) {
    assert.equal(roleRefusal('refer_110', state, 'dispatcher', false), null, `dispatchers keep refer_110 from ${state}`);
    assert.equal(roleRefusal('refer_110', state, 'supervisor', false), null, `so do supervisors (${state})`);
  }
  for (const state of ['pending_dispatch', 'returned', 'callback_pending'] as const) {
    assert.equal(roleRefusal('close', state, 'supervisor', false), null, `supervisors keep close from ${state}`);
    assert.equal(roleRefusal('close', state, 'admin', false), null);
  }
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
