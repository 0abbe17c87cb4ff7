/** Intake's errors: a proposal request it cannot read, or a stored call it may not use. */
import { defineErrors } from '../core/index.js';

export const IntakeErrors = defineErrors('intake', {
  INTAKE_CALL_NOT_FOUND: { status: 404, message: 'No call {callId}: see GET /api/calls for the list.' },
  INTAKE_CALL_NOT_YOURS: {
    status: 403,
    message: 'Call {callId} is not yours: proposals from a stored call are for its agent and the supervisors.',
  },
  INTAKE_SEGMENTS_AND_CALL: { status: 400, message: 'Give either segments or callId, not both.' },
  // The segment shape is a parameter: its braces would read as a placeholder in the template.
  INTAKE_NO_TRANSCRIPT: { status: 400, message: 'Give segments ({shape}) or the callId of a call.' },
  INTAKE_TRANSCRIPT_UNREADABLE: {
    status: 400,
    message: 'Cannot read the transcript: {problem} (at most {maxChars} characters in all).',
  },
  INTAKE_SEGMENT_ENDS_BEFORE_START: {
    status: 400,
    message: 'Segment {index} ends (endMs {endMs}) before it starts (startMs {startMs}).',
  },
});
