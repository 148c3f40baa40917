-- notification_inbox gains seq, the arrival order PostgreSQL has had since its 001, so both dialects
-- have the same columns. SQLite cannot add a key column in place: the table is rebuilt and its rows
-- copied in arrival (rowid) order, which the AUTOINCREMENT key then keeps.
CREATE TABLE notification_inbox_rebuilt (
  request_id     TEXT NOT NULL UNIQUE,
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  invoice_number TEXT NOT NULL,
  headers        TEXT NOT NULL,
  raw_body       TEXT NOT NULL,
  received_at    INTEGER NOT NULL,
  outcome        TEXT NOT NULL DEFAULT 'received'
);
INSERT INTO notification_inbox_rebuilt (request_id, invoice_number, headers, raw_body, received_at, outcome)
  SELECT request_id, invoice_number, headers, raw_body, received_at, outcome FROM notification_inbox ORDER BY rowid;
DROP TABLE notification_inbox;
ALTER TABLE notification_inbox_rebuilt RENAME TO notification_inbox;
CREATE INDEX notification_inbox_invoice ON notification_inbox (invoice_number, received_at);
