-- Orders, the notification inbox and the status-change audit.
CREATE TABLE orders (
  invoice_number    text PRIMARY KEY,
  amount            bigint NOT NULL CHECK (amount > 0),
  status            text NOT NULL CHECK (status IN ('PENDING','SUCCESS','FAILED','EXPIRED')),
  status_token_hash text NOT NULL,
  request_id        text NOT NULL UNIQUE,
  line_items        jsonb NOT NULL,
  return_url        text NOT NULL,
  gateway_state     text NOT NULL CHECK (gateway_state IN ('requested','accepted','rejected')),
  redirect          jsonb,
  needs_review      boolean NOT NULL DEFAULT false,
  version           integer NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  expires_at        timestamptz NOT NULL,
  last_checked_at   timestamptz
);
CREATE INDEX orders_pending_due ON orders (created_at) WHERE status = 'PENDING';
CREATE TABLE notification_inbox (
  request_id     text PRIMARY KEY,
  seq            bigint GENERATED ALWAYS AS IDENTITY,
  invoice_number text NOT NULL,
  headers        jsonb NOT NULL,
  raw_body       text NOT NULL,
  received_at    timestamptz NOT NULL,
  outcome        text NOT NULL DEFAULT 'received'
);
CREATE INDEX notification_inbox_invoice ON notification_inbox (invoice_number, received_at);
CREATE TABLE order_events (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_number text NOT NULL REFERENCES orders (invoice_number),
  from_status    text NOT NULL,
  to_status      text NOT NULL,
  source         text NOT NULL,
  version        integer NOT NULL,
  at             timestamptz NOT NULL
);
CREATE INDEX order_events_invoice ON order_events (invoice_number, id);
