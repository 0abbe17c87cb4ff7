/** audit's refusals: filters of the access log that cannot name a record. */
import { defineErrors } from '../core/index.js';

export const AuditErrors = defineErrors('audit', {
  AUDIT_RECORD_TYPE_REQUIRED: {
    status: 400,
    message: 'recordId needs recordType (work_order, call or callback): ids are per kind of record.',
  },
});
