// Rows as both dialects return them, decoded into domain shapes in one place. The dialects differ
// only in how they hand back dates (epoch ms or Date), JSON (text or jsonb) and booleans (0/1 or
// boolean); bigints come back as strings from PostgreSQL (amounts in rupiah are far below 2^53).
import type { Customer, PaymentStatus, Redirect } from '../../shared/api.ts';
import type { LineItem } from '../orders/line-items.ts';
import type { GatewayState, InboxEntry, Order, OrderEvent } from '../orders/order.ts';
import type { ReadToken, ReadTokenKind } from '../orders/read-tokens.ts';
import type { Metadata } from '../orders/reference.ts';
import type { DeliveryRecord, OrderStatusView, WebhookDue, WithTokens } from './types.ts';

/** How a dialect's driver hands values back (read) and takes them (write). */
export interface Codec {
  date(value: unknown): Date;
  writeDate(date: Date): unknown;
  bool(value: unknown): boolean;
  writeBool(value: boolean): unknown;
  json(value: unknown): unknown;
}

export type Row = Record<string, unknown>;

/** SQLite: dates as epoch milliseconds, JSON as text, booleans as 0/1. */
export const SQLITE_CODEC: Codec = {
  date: (v) => new Date(v as number),
  writeDate: (d) => d.getTime(),
  bool: (v) => v === 1,
  writeBool: (b) => (b ? 1 : 0),
  json: (v) => JSON.parse(v as string) as unknown,
};

/** PostgreSQL: timestamptz, jsonb and boolean come back as such. */
export const POSTGRES_CODEC: Codec = {
  date: (v) => v as Date,
  writeDate: (d) => d,
  bool: (v) => v === true,
  writeBool: (b) => b,
  json: (v) => v,
};

const text = (value: unknown) => value as string;
const optional = <T>(value: unknown, decode: (v: unknown) => T): T | null => (value === null ? null : decode(value));

export const toOrder = (r: Row, c: Codec): Order => ({
  invoiceNumber: text(r.invoice_number),
  amount: Number(r.amount),
  status: r.status as PaymentStatus,
  requestId: text(r.request_id),
  lineItems: c.json(r.line_items) as LineItem[],
  reference: optional(r.reference, text),
  metadata: c.json(r.metadata) as Metadata,
  customer: optional(r.customer, (v) => c.json(v) as Customer),
  returnUrl: text(r.return_url),
  gatewayState: r.gateway_state as GatewayState,
  redirect: optional(r.redirect, (v) => c.json(v) as Redirect),
  needsReview: c.bool(r.needs_review),
  duplicateOf: optional(r.duplicate_of, text),
  version: Number(r.version),
  createdAt: c.date(r.created_at),
  updatedAt: c.date(r.updated_at),
  expiresAt: c.date(r.expires_at),
  lastCheckedAt: optional(r.last_checked_at, (v) => c.date(v)),
  nextCheckAt: optional(r.next_check_at, (v) => c.date(v)),
});

/** The orders table's columns, in the order `orderValues` gives their values. */
export const ORDER_COLUMNS = [
  'invoice_number',
  'amount',
  'status',
  'request_id',
  'line_items',
  'reference',
  'metadata',
  'customer',
  'return_url',
  'gateway_state',
  'redirect',
  'needs_review',
  'duplicate_of',
  'version',
  'created_at',
  'updated_at',
  'expires_at',
  'last_checked_at',
  'next_check_at',
] as const;

export const orderValues = (o: Order, c: Codec): unknown[] => [
  o.invoiceNumber,
  o.amount,
  o.status,
  o.requestId,
  JSON.stringify(o.lineItems),
  o.reference,
  JSON.stringify(o.metadata),
  o.customer === null ? null : JSON.stringify(o.customer),
  o.returnUrl,
  o.gatewayState,
  o.redirect === null ? null : JSON.stringify(o.redirect),
  c.writeBool(o.needsReview),
  o.duplicateOf,
  o.version,
  c.writeDate(o.createdAt),
  c.writeDate(o.updatedAt),
  c.writeDate(o.expiresAt),
  o.lastCheckedAt === null ? null : c.writeDate(o.lastCheckedAt),
  o.nextCheckAt === null ? null : c.writeDate(o.nextCheckAt),
];

/** The values of shared-sql.ts INBOX_INSERT, in its order. */
export const inboxValues = (e: InboxEntry, c: Codec): unknown[] => [
  e.requestId,
  e.invoiceNumber,
  JSON.stringify(e.headers),
  e.rawBody,
  c.writeDate(e.receivedAt),
];

export const toInboxEntry = (r: Row, c: Codec): InboxEntry & { outcome: string } => ({
  requestId: text(r.request_id),
  invoiceNumber: text(r.invoice_number),
  headers: c.json(r.headers) as Record<string, string>,
  rawBody: text(r.raw_body),
  receivedAt: c.date(r.received_at),
  outcome: text(r.outcome),
});

export const toOrderEvent = (r: Row, c: Codec): OrderEvent => ({
  from: r.from_status as PaymentStatus,
  to: r.to_status as PaymentStatus,
  source: r.source as OrderEvent['source'],
  version: Number(r.version),
  at: c.date(r.at),
});

/** A claimed outbox row (an order_events row with its order's amount). */
export const toWebhookDue = (r: Row, c: Codec): WebhookDue => ({
  eventId: Number(r.id),
  invoiceNumber: text(r.invoice_number),
  amount: Number(r.amount),
  status: r.to_status as PaymentStatus,
  version: Number(r.version),
  at: c.date(r.at),
  attempts: Number(r.webhook_attempts),
});

/** An outbox row as operators see it (store/webhook-outbox.ts). */
export const toDeliveryRecord = (r: Row, c: Codec): DeliveryRecord => ({
  id: Number(r.id),
  invoiceNumber: text(r.invoice_number),
  status: r.to_status as PaymentStatus,
  version: Number(r.version),
  at: c.date(r.at),
  attempts: Number(r.webhook_attempts),
  nextAt: optional(r.webhook_next_at, (v) => c.date(v)),
  deliveredAt: optional(r.webhook_delivered_at, (v) => c.date(v)),
  lastError: optional(r.webhook_last_error, text),
});

export const toOrderStatusView = (r: Row, c: Codec): OrderStatusView => ({
  invoiceNumber: text(r.invoice_number),
  amount: Number(r.amount),
  status: r.status as PaymentStatus,
  updatedAt: c.date(r.updated_at),
  reference: optional(r.reference, text),
});

/**
 * Rows of `SELECT o.<columns>, t.token_hash, t.kind AS token_kind, t.expires_at AS token_expires_at`
 * (tokens LEFT JOINed), the order part decoded by `decode` (toOrder, toOrderStatusView).
 */
export function toWithTokens<O>(rows: Row[], c: Codec, decode: (r: Row, c: Codec) => O): WithTokens<O> | null {
  if (rows.length === 0) return null;
  const tokens: ReadToken[] = [];
  for (const r of rows) {
    if (r.token_hash === null) continue;
    const expiresAt = optional(r.token_expires_at, (v) => c.date(v));
    tokens.push({ hash: text(r.token_hash), kind: r.token_kind as ReadTokenKind, expiresAt });
  }
  return { order: decode(rows[0], c), tokens };
}
