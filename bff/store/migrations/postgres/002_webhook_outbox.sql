-- The merchant-webhook outbox: a final change waits here until it is delivered (or given up on).
ALTER TABLE order_events ADD COLUMN webhook_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE order_events ADD COLUMN webhook_next_at timestamptz;
ALTER TABLE order_events ADD COLUMN webhook_delivered_at timestamptz;
CREATE INDEX order_events_webhook_due ON order_events (webhook_next_at) WHERE webhook_next_at IS NOT NULL;
