// The order store's interface. SQLite (embedded) and PostgreSQL (several instances) implement it;
// no SQL lives outside bff/store/. One parametrised test suite runs against both. The shapes it
// stores are the domain's (orders/); what a change writes is decided there too (orders/plan.ts).
import type { PaymentStatus, Redirect } from '../../shared/api.ts';
import type { InboxEntry, NewOrder, Order, OrderEvent } from '../orders/order.ts';
import type { FindOrCreateInput, FindOrCreateOutcome } from '../orders/payment-keys.ts';
import type { ApplyInput, ApplyOutcome } from '../orders/plan.ts';
import type { ReadToken } from '../orders/read-tokens.ts';
import type { DueCheckQuery } from './figures.ts';

/** A final status change waiting in the webhook outbox (one order_events row). */
export interface WebhookDue {
  eventId: number;
  invoiceNumber: string;
  amount: number;
  status: PaymentStatus;
  /** The order's version after the change: with the invoice, the event's unique id. */
  version: number;
  at: Date;
  /** Attempts so far, counting the one this claim starts. */
  attempts: number;
}

/**
 * What became of one delivery attempt: delivered, or failed (`error` says why): try again at `nextAt`,
 * or give up (`nextAt` null).
 */
export type WebhookSettlement = { deliveredAt: Date } | { nextAt: Date | null; error?: string };

/** One row of the webhook outbox as an operator sees it (an order_events row once queued). */
export interface DeliveryRecord {
  id: number;
  invoiceNumber: string;
  /** The status the order changed to. */
  status: PaymentStatus;
  version: number;
  at: Date;
  attempts: number;
  nextAt: Date | null;
  deliveredAt: Date | null;
  lastError: string | null;
}

/** Which deliveries to list, newest first: queued (or being retried), delivered, or given up. */
export interface DeliveryQuery {
  state?: 'pending' | 'delivered' | 'failed';
  invoiceNumber?: string;
  /** The page after this delivery id. */
  beforeId?: number;
  limit: number;
}

/** The webhook outbox as operators use it (server API, CLI, metrics); the forwarder claims and settles. */
export interface WebhookOutbox {
  list(query: DeliveryQuery): Promise<DeliveryRecord[]>;
  /**
   * Queue a delivery again, due `now`, its attempts counted afresh (delivered, given up or still being
   * retried); null when there is no such delivery.
   */
  resend(id: number, now: Date): Promise<DeliveryRecord | null>;
  /** How many deliveries wait (queued or being retried) and how many were given up. */
  counts(): Promise<{ pending: number; failed: number }>;
}

/**
 * Reconciliation's two queues. `expiry`: PENDING orders past their expiry, soonest expired first, for
 * the check that may expire them (it never waits behind other checks). `due`: every order whose
 * nextCheckAt has come, earliest due first.
 */
export type CheckQueue = 'expiry' | 'due';

export interface ClaimOptions {
  queue: CheckQueue;
  /** When the claim is made: lastCheckedAt, and the start of the lease. */
  now: Date;
  /** Only orders due by then (default `now`): a pass keeps to what was due when it began. */
  dueBy?: Date;
  /** Only orders created at least this long ago (DOKU asks for ~60 s before Check Status). */
  minAgeMs: number;
  limit: number;
  /**
   * How long a claimed order stays claimed while it is being checked: nextCheckAt is set to
   * now + leaseMs, so no instance takes it again before the check is surely over. Default 0.
   */
  leaseMs?: number;
}

/** Which orders to list, newest first (the server API's list). */
export interface OrderQuery {
  reference?: string;
  status?: PaymentStatus;
  /** Created at or after this. */
  createdFrom?: Date;
  /** Created before this. */
  createdBefore?: Date;
  /** The page after this order (the last one of the previous page). */
  after?: Pick<Order, 'createdAt' | 'invoiceNumber'>;
  limit: number;
}

/** The end of a check: when the order is next due, if it still holds the claim's lease. */
export interface CheckRelease {
  /** The claim's nextCheckAt (now + leaseMs): a release only ends its own lease. */
  leaseUntil: Date;
  /** Null: never again. */
  nextCheckAt: Date | null;
}

/** An order's status as the polled JSON route answers it: a status read decodes no more than this. */
export type OrderStatusView = Pick<Order, 'invoiceNumber' | 'amount' | 'status' | 'updatedAt' | 'reference'>;

/** An order (or a view of it) with its read tokens (hashes). */
export interface WithTokens<O> {
  order: O;
  tokens: ReadToken[];
}

export interface Store {
  /** Create or migrate the schema; safe when several instances start at once. */
  migrate(): Promise<void>;
  /** Insert a new PENDING order in gateway state 'requested', with its read tokens; no key finds it. */
  insertOrder(order: NewOrder): Promise<void>;
  /**
   * In one transaction holding the locks of the request's keys (Idempotency-Key, reference): read the
   * payments they find, and carry out what the pure `planFindOrCreate` (orders/payment-keys.ts) says:
   * hand one out again, refuse, or insert the new order (before DOKU is called) and point the keys at it.
   */
  findOrCreatePayment(input: FindOrCreateInput): Promise<FindOrCreateOutcome>;
  /** DOKU gave this payment no redirect: no key finds it any more, so a retry makes a new one. */
  releasePaymentKeys(invoiceNumber: string): Promise<void>;
  /** One more read token for an order (the fresh status token of an answer given again). */
  addReadToken(invoiceNumber: string, token: ReadToken, now: Date): Promise<void>;
  /** An order with its read tokens (hashes), for a status stream. */
  getOrderWithTokens(invoiceNumber: string): Promise<WithTokens<Order> | null>;
  /** The status view of an order with its read tokens, for a status poll (its columns only). */
  getStatusWithTokens(invoiceNumber: string): Promise<WithTokens<OrderStatusView> | null>;
  /** Orders newest first (by creation, then invoice number), filtered and paged. */
  listOrders(query: OrderQuery): Promise<Order[]>;
  /** DOKU accepted the payment: keep its redirect. */
  markAccepted(invoiceNumber: string, redirect: Redirect, now: Date): Promise<void>;
  /** DOKU definitively refused the payment: the order is FAILED (gateway state 'rejected'); see `planRejection`. */
  markRejected(invoiceNumber: string, now: Date): Promise<Order | null>;
  getOrder(invoiceNumber: string): Promise<Order | null>;
  /**
   * In one transaction: record the inbox entry (a duplicate Request-Id changes nothing else), lock the
   * order, and carry out what the pure `planReport` (orders/plan.ts) says for it.
   */
  applyReport(input: ApplyInput): Promise<ApplyOutcome>;
  /**
   * Atomically claim orders due for a Check Status from one queue (sets lastCheckedAt = now and leases
   * each until now + leaseMs), so two instances never check the same order at once.
   */
  claimDueForCheck(opts: ClaimOptions): Promise<Order[]>;
  /**
   * The check of a claimed order is over: it is next due at `nextCheckAt`. Only if the order still
   * holds this claim's lease: a late release never cuts another instance's lease short.
   */
  releaseCheck(invoiceNumber: string, release: CheckRelease): Promise<void>;
  /** How many orders became SUCCESS after they were FAILED or EXPIRED (late payments), ever. */
  countLatePayments(): Promise<number>;
  /**
   * Atomically claim webhook deliveries due at `now`: each gets one more attempt and its next
   * attempt moves to `now + leaseMs`, so no other instance sends it while this one is trying.
   */
  claimWebhooks(opts: { now: Date; leaseMs: number; limit: number }): Promise<WebhookDue[]>;
  /**
   * After an attempt. A failure only reschedules if no later claim has taken the row meanwhile
   * (fenced by `attempts`); a delivery always counts.
   */
  settleWebhook(due: Pick<WebhookDue, 'eventId' | 'attempts'>, settlement: WebhookSettlement): Promise<void>;
  /** The outbox's deliveries for operators: list, resend, counts. */
  readonly webhookOutbox: WebhookOutbox;
  /** When the order waiting longest for its Check Status became due; null: none is (the reconciler's lag). */
  oldestDueCheck(query: DueCheckQuery): Promise<Date | null>;
  /** Inbox rows for an invoice, oldest first (audit and tests). */
  listInbox(invoiceNumber: string): Promise<Array<InboxEntry & { outcome: string }>>;
  /** Status changes of an order, oldest first: its history (audit, the server API, tests). */
  listEvents(invoiceNumber: string): Promise<OrderEvent[]>;
  /** Readiness: the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
