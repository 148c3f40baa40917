-- Reconciliation by due time. next_check_at: when an order is next due for a Check Status (NULL:
-- never again). The claim takes due orders earliest first, and an order being checked holds it as
-- its lease. PENDING orders are due from their creation; FAILED and EXPIRED ones keep late checks
-- for 48 h after creation (LinkAja may still take the money), except those DOKU refused to create.
ALTER TABLE orders ADD COLUMN next_check_at timestamptz;
UPDATE orders SET next_check_at = COALESCE(last_checked_at, created_at) WHERE status = 'PENDING';
UPDATE orders SET next_check_at = updated_at
  WHERE status IN ('FAILED', 'EXPIRED') AND gateway_state <> 'rejected'
    AND created_at > now() - interval '48 hours';
DROP INDEX orders_pending_due;
CREATE INDEX orders_check_due ON orders (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX orders_expiry_due ON orders (expires_at) WHERE status = 'PENDING';
-- Late payments (a FAILED or EXPIRED order that became SUCCESS), counted for operators.
CREATE INDEX order_events_late_success ON order_events (id)
  WHERE to_status = 'SUCCESS' AND from_status IN ('FAILED', 'EXPIRED');
