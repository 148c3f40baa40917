-- Why a merchant webhook's last attempt failed (HTTP 500, TimeoutError), for the operator's list of
-- deliveries (server API, `linkaja-pay webhooks list`); cleared when it is delivered.
ALTER TABLE order_events ADD COLUMN webhook_last_error TEXT;
-- Deliveries given up on, counted on every metrics scrape.
CREATE INDEX order_events_webhook_failed ON order_events (id)
  WHERE webhook_next_at IS NULL AND webhook_delivered_at IS NULL AND webhook_attempts > 0;
