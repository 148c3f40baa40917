// Orders and webhook deliveries as the merchant's backend and operators see them (shared/server-api.ts):
// the server API answers with these and the CLI prints them. Pure.
import type { Payment, PaymentDetail, WebhookDelivery } from '../../shared/server-api.ts';
import { OrderError } from '../orders/errors.ts';
import type { Order, OrderEvent } from '../orders/order.ts';
import type { DeliveryRecord } from '../store/types.ts';
import { webhookMessageId, webhookTypeOf } from '../webhooks/standard-webhooks.ts';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export const paymentView = (o: Order): Payment => ({
  invoice_number: o.invoiceNumber,
  status: o.status,
  amount: o.amount,
  currency: 'IDR',
  reference: o.reference,
  metadata: o.metadata,
  line_items: o.lineItems,
  customer: o.customer,
  needs_review: o.needsReview,
  duplicate_of: o.duplicateOf,
  created_at: o.createdAt.toISOString(),
  updated_at: o.updatedAt.toISOString(),
  expires_at: o.expiresAt.toISOString(),
});

export const paymentDetailView = (o: Order, history: readonly OrderEvent[]): PaymentDetail => ({
  ...paymentView(o),
  history: history.map((e) => ({
    from: e.from,
    to: e.to,
    source: e.source,
    version: e.version,
    at: e.at.toISOString(),
  })),
});

/** pending: waiting or being retried; delivered; failed: retries given up. */
export const deliveryState = (d: Pick<DeliveryRecord, 'nextAt' | 'deliveredAt'>): WebhookDelivery['status'] =>
  d.nextAt !== null ? 'pending' : d.deliveredAt !== null ? 'delivered' : 'failed';

export const deliveryView = (d: DeliveryRecord): WebhookDelivery => ({
  id: d.id,
  webhook_id: webhookMessageId(d.invoiceNumber, d.version),
  type: webhookTypeOf(d.status),
  invoice_number: d.invoiceNumber,
  status: deliveryState(d),
  attempts: d.attempts,
  last_error: d.lastError,
  next_attempt_at: iso(d.nextAt),
  delivered_at: iso(d.deliveredAt),
  created_at: d.at.toISOString(),
});

/** A page of orders continues after its last one: creation time and invoice, opaque to the caller. */
export const paymentCursor = (o: Pick<Order, 'createdAt' | 'invoiceNumber'>): string =>
  Buffer.from(`${o.createdAt.getTime()}.${o.invoiceNumber}`).toString('base64url');

export function readPaymentCursor(cursor: string): Pick<Order, 'createdAt' | 'invoiceNumber'> {
  const m = /^(\d{1,15})\.(.{1,64})$/s.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new OrderError('invalid_order', 'cursor is not one this API gave (next_cursor).');
  return { createdAt: new Date(Number(m[1])), invoiceNumber: m[2] };
}

export function readDeliveryCursor(cursor: string): number {
  if (!/^\d{1,15}$/.test(cursor))
    throw new OrderError('invalid_order', 'cursor is not one this API gave (next_cursor).');
  return Number(cursor);
}
