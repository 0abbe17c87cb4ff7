-- Retention: when a call's caller number and transcript were removed under the site's policy.
ALTER TABLE calls ADD COLUMN anonymised_at timestamptz;
CREATE INDEX calls_ended_retained ON calls (ended_at) WHERE anonymised_at IS NULL AND ended_at IS NOT NULL;
