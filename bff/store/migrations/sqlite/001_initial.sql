-- Orders, the notification inbox and the status-change audit. Dates are epoch milliseconds.
CREATE TABLE orders (
  invoice_number    TEXT PRIMARY KEY,
  amount            INTEGER NOT NULL CHECK (amount > 0),
  status            TEXT NOT NULL CHECK (status IN ('PENDING','SUCCESS','FAILED','EXPIRED')),
  status_token_hash TEXT NOT NULL,
  request_id        TEXT NOT NULL UNIQUE,
  line_items        TEXT NOT NULL,
  return_url        TEXT NOT NULL,
  gateway_state     TEXT NOT NULL CHECK (gateway_state IN ('requested','accepted','rejected')),
  redirect          TEXT,
  needs_review      INTEGER NOT NULL DEFAULT 0,
  version           INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  expires_at        INTEGER NOT NULL,
  last_checked_at   INTEGER
);
CREATE INDEX orders_pending_due ON orders (created_at) WHERE status = 'PENDING';
CREATE TABLE notification_inbox (
  request_id     TEXT PRIMARY KEY,
  invoice_number TEXT NOT NULL,
  headers        TEXT NOT NULL,
  raw_body       TEXT NOT NULL,
  received_at    INTEGER NOT NULL,
  outcome        TEXT NOT NULL DEFAULT 'received'
);
CREATE INDEX notification_inbox_invoice ON notification_inbox (invoice_number, received_at);
CREATE TABLE order_events (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  invoice_number TEXT NOT NULL REFERENCES orders (invoice_number),
  from_status    TEXT NOT NULL,
  to_status      TEXT NOT NULL,
  source         TEXT NOT NULL,
  version        INTEGER NOT NULL,
  at             INTEGER NOT NULL
);
CREATE INDEX order_events_invoice ON order_events (invoice_number, id);
