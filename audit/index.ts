/**
 * audit: the trail of reads of callers' personal data in clear (pii_access_log). Modules
 * that show such data call logPiiRead before they answer; supervisors read the trail on
 * GET /api/audit/pii-access.
 */
export { AuditErrors } from './errors.js';
export { auditRoutes } from './routes.js';
export { type PiiAccess, PiiAccessSchema } from './schemas.js';
export {
  listPiiAccess,
  logPiiRead,
  type PiiAccessFilter,
  type PiiAccessInput,
  RECORD_TYPES,
  type RecordType,
  readerOf,
  recordPiiAccess,
} from './store.js';
