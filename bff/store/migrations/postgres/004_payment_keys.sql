-- Payments tied to the merchant's order and found again. Orders carry the merchant's reference and
-- metadata, the customer's details, and the earlier paid invoice when a reference was paid twice.
ALTER TABLE orders ADD COLUMN reference text;
ALTER TABLE orders ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}';
ALTER TABLE orders ADD COLUMN customer jsonb;
ALTER TABLE orders ADD COLUMN duplicate_of text;
CREATE INDEX orders_reference ON orders (reference, created_at) WHERE reference IS NOT NULL;
CREATE INDEX orders_created ON orders (created_at, invoice_number);
-- Several read tokens per payment (status tokens, the return ticket), as hashes, read by invoice;
-- the status token each order had moves here.
CREATE TABLE payment_tokens (
  invoice_number text NOT NULL REFERENCES orders (invoice_number),
  token_hash     text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('status','return')),
  created_at     timestamptz NOT NULL,
  expires_at     timestamptz,
  PRIMARY KEY (invoice_number, token_hash)
);
INSERT INTO payment_tokens (token_hash, invoice_number, kind, created_at)
  SELECT status_token_hash, invoice_number, 'status', created_at FROM orders;
ALTER TABLE orders DROP COLUMN status_token_hash;
-- What finds a payment again until it expires: an Idempotency-Key per calling origin, or a reference.
CREATE TABLE payment_keys (
  kind           text NOT NULL CHECK (kind IN ('idempotency','reference')),
  scope          text NOT NULL,
  name           text NOT NULL,
  invoice_number text NOT NULL REFERENCES orders (invoice_number),
  request_hash   text,
  expires_at     timestamptz NOT NULL,
  PRIMARY KEY (kind, scope, name)
);
CREATE INDEX payment_keys_invoice ON payment_keys (invoice_number);
