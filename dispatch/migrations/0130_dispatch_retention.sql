-- Retention: when a closed case's personal data was removed under the site's policy.
ALTER TABLE work_orders ADD COLUMN anonymised_at timestamptz;
CREATE INDEX work_orders_closed_retained ON work_orders (closed_at) WHERE anonymised_at IS NULL AND closed_at IS NOT NULL;
