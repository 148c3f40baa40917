// Rows as both dialects return them, decoded into domain shapes in one place. The dialects differ
// only in how they hand back dates (epoch ms or Date), JSON (text or jsonb) and booleans (0/1 or
// boolean); bigints come back as strings from PostgreSQL (amounts in rupiah are far below 2^53).
import type { PaymentStatus, Redirect } from '../../shared/api.ts';
import type { LineItem } from '../orders/line-items.ts';
import type { GatewayState, InboxEntry, Order, OrderEvent } from '../orders/order.ts';
import type { WebhookDue } from './types.ts';

/** How a dialect's driver hands values back (read) and takes them (write). */
export interface Codec {
  date(value: unknown): Date;
  writeDate(date: Date): unknown;
  bool(value: unknown): boolean;
  writeBool(value: boolean): unknown;
  json(value: unknown): unknown;
}

export type Row = Record<string, unknown>;

const text = (value: unknown) => value as string;
const optional = <T>(value: unknown, decode: (v: unknown) => T): T | null => (value === null ? null : decode(value));

export const toOrder = (r: Row, c: Codec): Order => ({
  invoiceNumber: text(r.invoice_number),
  amount: Number(r.amount),
  status: r.status as PaymentStatus,
  statusTokenHash: text(r.status_token_hash),
  requestId: text(r.request_id),
  lineItems: c.json(r.line_items) as LineItem[],
  returnUrl: text(r.return_url),
  gatewayState: r.gateway_state as GatewayState,
  redirect: optional(r.redirect, (v) => c.json(v) as Redirect),
  needsReview: c.bool(r.needs_review),
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
  'status_token_hash',
  'request_id',
  'line_items',
  'return_url',
  'gateway_state',
  'redirect',
  'needs_review',
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
  o.statusTokenHash,
  o.requestId,
  JSON.stringify(o.lineItems),
  o.returnUrl,
  o.gatewayState,
  o.redirect === null ? null : JSON.stringify(o.redirect),
  c.writeBool(o.needsReview),
  o.version,
  c.writeDate(o.createdAt),
  c.writeDate(o.updatedAt),
  c.writeDate(o.expiresAt),
  o.lastCheckedAt === null ? null : c.writeDate(o.lastCheckedAt),
  o.nextCheckAt === null ? null : c.writeDate(o.nextCheckAt),
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
