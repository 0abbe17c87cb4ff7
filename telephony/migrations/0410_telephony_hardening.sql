-- Telephony hardening (#14): a call whose process stopped without ending it is ended at the
-- next start with end_reason 'lost_on_restart' (telephony/store.ts reconcileLostCalls).
ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_end_reason_check;
ALTER TABLE calls ADD CONSTRAINT calls_end_reason_check
  CHECK (end_reason IN ('answered', 'abandoned', 'transferred', 'failed', 'timeout', 'rejected', 'lost_on_restart'));
