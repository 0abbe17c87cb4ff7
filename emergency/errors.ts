/** The emergency path's errors: a one-click transfer that cannot be made as asked. */
import { defineErrors } from '../core/index.js';

export const EmergencyErrors = defineErrors('emergency', {
  EMERGENCY_TELEPHONY_UNAVAILABLE: {
    status: 503,
    message: 'Telephony is not running here: transfer the call on the phone system, then record the case as refer_110.',
  },
  EMERGENCY_WORK_ORDER_NOT_FOUND: {
    status: 404,
    message: 'Work order {workOrderId} does not exist: transfer without it and record the case later.',
  },
  EMERGENCY_CASE_NOT_OF_CALL: {
    status: 403,
    message: "Work order {workOrderId} is not the case of call {callId}: transfer without it, or give this call's case.",
  },
});
