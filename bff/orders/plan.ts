// What a report about a payment (or DOKU's outright refusal) writes and announces, decided without a
// database: each store reads what the plan needs under its lock, asks for the plan, and carries it
// out in the same transaction (synchronously on SQLite, asynchronously on PostgreSQL). The one way
// orders move.
import { isFinalStatus, type PaymentStatus } from '../../shared/api.ts';
import {
  statusChangeOf,
  type InboxEntry,
  type Order,
  type OrderEvent,
  type ReportSource,
  type StatusChange,
} from './order.ts';
import { decide, type Report, type Verdict } from './state.ts';

export interface ApplyInput {
  invoiceNumber: string;
  report: Report;
  source: ReportSource;
  /** For notifications: recorded in the same transaction as the order change. */
  inbox?: InboxEntry;
  now: Date;
  /**
   * The merchant's backend wants final results (MERCHANT_WEBHOOK_URL): a transition to SUCCESS, FAILED
   * or EXPIRED is queued for it in the same transaction (the webhook outbox), so a restart loses none.
   */
  queueWebhook?: boolean;
}

export type ApplyOutcome =
  /** The same notification Request-Id was already recorded: nothing changed. */
  | { kind: 'duplicate' }
  /** No such order (the inbox entry, if any, is still recorded). */
  | { kind: 'unknown_invoice' }
  /** The state machine's verdict was applied (or was a no-op); `order` is the state after commit. */
  | { kind: 'applied'; verdict: Verdict; order: Order; previous: PaymentStatus };

/** An order_events row to insert; a `webhookAt` puts it in the merchant-webhook outbox. */
export interface QueuedEvent extends OrderEvent {
  invoiceNumber: string;
  webhookAt: Date | null;
}

/** Everything one transaction writes, and what it answers. */
export interface Plan<Outcome> {
  outcome: Outcome;
  /**
   * The order row as it must stand after the transaction (status, gateway state, review flag, version,
   * updatedAt, duplicateOf, nextCheckAt); null leaves it alone.
   */
  order: Order | null;
  event: QueuedEvent | null;
  /** The outcome to record on the notification's inbox row; null when there is none to record. */
  inbox: { requestId: string; outcome: string } | null;
  /** The status change open streams must hear once this commits (with every status change). */
  announce: StatusChange | null;
}

const nothing = <Outcome>(outcome: Outcome): Plan<Outcome> => ({
  outcome,
  order: null,
  event: null,
  inbox: null,
  announce: null,
});

/**
 * Plan a report against the order as it stands under the store's lock (null: no such order).
 * `inboxSeen`: the notification's Request-Id was already in the inbox, so this is a repeat.
 * `paidSibling`: the invoice of another order of the same reference already SUCCESS (read under the
 * reference's lock); a move to SUCCESS records it, so the merchant learns to refund one of them.
 */
export function planReport(
  order: Order | null,
  input: ApplyInput,
  inboxSeen = false,
  paidSibling: string | null = null,
): Plan<ApplyOutcome> {
  if (inboxSeen) return nothing({ kind: 'duplicate' });
  const inbox = (outcome: string) => (input.inbox ? { requestId: input.inbox.requestId, outcome } : null);
  if (!order) return { ...nothing({ kind: 'unknown_invoice' }), inbox: inbox('unknown_invoice') };

  const verdict = decide(order.status, order.amount, input.report);
  let after: Order | null = null;
  let event: QueuedEvent | null = null;
  let announce: StatusChange | null = null;
  if (verdict.kind === 'transition') {
    const duplicateOf = verdict.to === 'SUCCESS' && paidSibling !== null ? paidSibling : order.duplicateOf;
    after = { ...order, status: verdict.to, version: order.version + 1, updatedAt: input.now, duplicateOf };
    // A paid order is never asked about again; any other keeps its schedule (reconcile/schedule.ts).
    if (verdict.to === 'SUCCESS') after.nextCheckAt = null;
    event = {
      invoiceNumber: order.invoiceNumber,
      from: order.status,
      to: verdict.to,
      source: input.source,
      version: after.version,
      at: input.now,
      webhookAt: input.queueWebhook && isFinalStatus(verdict.to) ? input.now : null,
    };
    announce = statusChangeOf(after);
  } else if (verdict.kind === 'amount_mismatch') {
    after = { ...order, needsReview: true, updatedAt: input.now };
  }
  return {
    outcome: { kind: 'applied', verdict, previous: order.status, order: after ?? order },
    order: after,
    event,
    inbox: inbox(verdict.kind),
    announce,
  };
}

/**
 * DOKU definitively refused the payment: a PENDING order is FAILED; any order remembers the refusal.
 * Nothing exists at DOKU that a customer could still pay, so the order is never asked about again.
 */
export function planRejection(order: Order | null, now: Date): Plan<Order | null> {
  if (!order) return nothing(null);
  if (order.status !== 'PENDING') {
    const after: Order = { ...order, gatewayState: 'rejected', nextCheckAt: null };
    return { ...nothing(after), order: after };
  }
  const after: Order = {
    ...order,
    gatewayState: 'rejected',
    nextCheckAt: null,
    status: 'FAILED',
    version: order.version + 1,
    updatedAt: now,
  };
  const event: QueuedEvent = {
    invoiceNumber: order.invoiceNumber,
    from: 'PENDING',
    to: 'FAILED',
    source: 'gateway',
    version: after.version,
    at: now,
    webhookAt: null,
  };
  return { outcome: after, order: after, event, inbox: null, announce: statusChangeOf(after) };
}
