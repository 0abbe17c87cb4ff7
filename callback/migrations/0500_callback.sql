-- callback/: what the queue needs beyond the foundation's callbacks table.
-- lease_until: a worker's hold on an automated survey call; a worker that dies leaves it to
-- expire, and the job runs again (the row, not the queue, is the source of truth).
ALTER TABLE callbacks ADD COLUMN lease_until timestamptz;
ALTER TABLE callbacks ADD COLUMN last_attempt_at timestamptz;
-- Every attempt as {at, result, by}: what the desk shows and what the figures count.
ALTER TABLE callbacks ADD COLUMN attempt_log jsonb NOT NULL DEFAULT '[]';
ALTER TABLE callbacks ADD COLUMN completed_at timestamptz;
-- One open callback per case, so a replayed event never schedules two.
CREATE UNIQUE INDEX callbacks_open_per_case ON callbacks (work_order_id) WHERE state IN ('scheduled', 'claimed');
CREATE INDEX callbacks_claimed_by ON callbacks (claimed_by) WHERE state = 'claimed';
