/** callback's refusals: the 回访 queue's claims, results, click-to-call, retries and takeovers. */
import { defineErrors } from '../core/index.js';

export const CallbackErrors = defineErrors('callback', {
  CALLBACK_NOT_FOUND: { status: 404, message: 'Callback {id} does not exist: GET /api/callbacks lists them.' },
  CALLBACK_WORK_ORDER_NOT_FOUND: { status: 404, message: 'Work order {id} does not exist.' },
  CALLBACK_CASE_NOT_PENDING: { status: 409, message: 'Work order {id} is {state}: callbacks follow an accepted reply.' },
  CALLBACK_ALREADY_YOURS: { status: 409, message: 'You have already claimed callback {id}: record its result.' },
  CALLBACK_CLAIMED_BY_OTHER: {
    status: 409,
    message: 'Callback {id} was claimed by someone else (user {claimedBy}) first: take another from the due list.',
  },
  CALLBACK_SURVEY_CALLING: {
    status: 409,
    message: 'Callback {id} is being called by the automated survey right now: try again later.',
  },
  CALLBACK_NOT_CLAIMABLE: { status: 409, message: 'Callback {id} is {state}: only a scheduled callback can be claimed.' },
  CALLBACK_OUTCOME_UNKNOWN: { status: 400, message: '"{outcome}" is not an outcome: use one of {outcomes}.' },
  CALLBACK_NOT_CLAIMED: {
    status: 409,
    message: 'Callback {id} is {state}: claim it first (POST /api/callbacks/{id}/claim), then record the result.',
  },
  CALLBACK_RESULT_NOT_YOURS: {
    status: 403,
    message: 'Callback {id} was claimed by another staff member: only they (or a supervisor) record its result.',
  },
  CALLBACK_CHANGED_WHILE_RECORDING: { status: 409, message: 'Callback {id} changed while the result was recorded: reload it.' },
  CALLBACK_CALL_NOT_CLAIMED: {
    status: 409,
    message: 'Callback {id} is {state}: claim it first (POST /api/callbacks/{id}/claim), then call.',
  },
  CALLBACK_CALL_NOT_YOURS: {
    status: 409,
    message: 'Callback {id} was claimed by another staff member (user {claimedBy}): only they call this citizen.',
  },
  CALLBACK_NO_PHONE: {
    status: 400,
    message: 'Work order {number} has no phone number to call: record the result 联系不上 (unreachable) instead.',
  },
  CLICK_TO_CALL_UNAVAILABLE: {
    status: 400,
    message: 'Click-to-call needs the telephony module (SIP_ENABLED=true) with an outbound trunk (SIP_OUTBOUND_TRUNK).',
  },
  CALLBACK_NOT_FAILED: {
    status: 409,
    message: 'Callback {id} is {state}: only a failed callback (失败/需人工) can be retried or taken over.',
  },
  CALLBACK_CASE_MOVED_ON: {
    status: 409,
    message: 'Work order {number} is {state} now, not waiting for its callback: nothing to call; the failed callback stays as the record.',
  },
  CALLBACK_CHANGED_MEANWHILE: { status: 409, message: 'Callback {id} changed meanwhile: reload the list.' },
  CALLBACK_TAKEN_BY_OTHER: {
    status: 409,
    message: 'Callback {id} was taken over or retried by someone else first: reload the list.',
  },
});
