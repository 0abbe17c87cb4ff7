-- callback/: the dead letter of the survey queue. An automated callback whose result could
-- not be written, or whose attempts ran out without a recorded result (a worker that died
-- on its last call), stops as 'failed' with the reason instead of being called again; the
-- callback staff retry it or take it over as a manual callback.
ALTER TABLE callbacks DROP CONSTRAINT callbacks_state_check;
ALTER TABLE callbacks ADD CONSTRAINT callbacks_state_check
  CHECK (state IN ('scheduled', 'claimed', 'done', 'unreachable', 'cancelled', 'failed'));
ALTER TABLE callbacks ADD COLUMN failure_reason text;
ALTER TABLE callbacks ADD COLUMN failed_at timestamptz;
-- A failed callback still holds its case (it waits in callback_pending for a person), so the
-- reconcile must not schedule a second one beside it.
DROP INDEX callbacks_open_per_case;
CREATE UNIQUE INDEX callbacks_open_per_case ON callbacks (work_order_id) WHERE state IN ('scheduled', 'claimed', 'failed');
