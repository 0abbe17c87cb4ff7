/**
 * intake: proposes the intake form's fields (phone, address, name, request type,
 * anonymity) from a call's transcript. What other modules may use.
 */

export { REQUEST_TYPES } from './cues.js';
export { IntakeErrors } from './errors.js';
export {
  type AddressProposal,
  type Gender,
  type IntakeProposal,
  MAX_CHARS,
  MAX_SEGMENTS,
  type NameValue,
  type PhoneProposal,
  type Proposed,
  type ProposeOptions,
  proposeIntake,
  type Quote,
  type RequestType,
  type ResolvedPlace,
  type SegmentInput,
  segmentsProblem,
} from './prefill.js';
export { intakeRoutes } from './routes.js';
export {
  IntakeProposalRequest,
  IntakeProposalResponse,
  IntakeQuote,
  IntakeSegment,
} from './schemas.js';
