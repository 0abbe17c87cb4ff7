-- Metrics: the wallboard and reports select events and closings by time.
CREATE INDEX work_order_events_created ON work_order_events (created_at);
CREATE INDEX work_orders_closed ON work_orders (closed_at) WHERE closed_at IS NOT NULL;
