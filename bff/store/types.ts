// The order store's interface. SQLite (embedded) and PostgreSQL (several instances) implement it;
// no SQL lives outside bff/store/. One parametrised test suite runs against both.
import type { PaymentStatus, Redirect } from '../../shared/api.ts';
import type { LineItem } from '../doku/schemas.ts';
import type { Report, Verdict } from '../orders/state.ts';

/** Where the order is with DOKU's create-payment call. */
export type GatewayState = 'requested' | 'accepted' | 'rejected';

export interface Order {
  invoiceNumber: string;
  amount: number;
  status: PaymentStatus;
  /** SHA-256 hex of the status token; the token itself is never stored. */
  statusTokenHash: string;
  /** DOKU Request-Id of the create-payment call, kept for its retries. */
  requestId: string;
  lineItems: LineItem[];
  returnUrl: string;
  gatewayState: GatewayState;
  redirect: Redirect | null;
  /** Set when DOKU reported a different amount: a person must look. */
  needsReview: boolean;
  /** Increments at every status change; the SSE event id. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  /** Last time reconciliation asked DOKU's Check Status about it. */
  lastCheckedAt: Date | null;
}

export type NewOrder = Pick<
  Order,
  'invoiceNumber' | 'amount' | 'statusTokenHash' | 'requestId' | 'lineItems' | 'returnUrl' | 'createdAt' | 'expiresAt'
>;

/** Where a report about an order's payment came from. */
export type ReportSource = 'notification' | 'check_status' | 'expiry';

/** A received DOKU notification, recorded verbatim in the inbox (audit trail; kept forever). */
export interface InboxEntry {
  requestId: string;
  invoiceNumber: string;
  headers: Record<string, string>;
  rawBody: string;
  receivedAt: Date;
}

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

/** One recorded status change (the order_events audit table; kept forever). */
export interface OrderEvent {
  from: PaymentStatus;
  to: PaymentStatus;
  /** A ReportSource, or 'gateway' when DOKU refused the payment outright (markRejected). */
  source: ReportSource | 'gateway';
  /** The order's version after this change. */
  version: number;
  at: Date;
}

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

/** What became of one delivery attempt: delivered, try again at `nextAt`, or give up (`nextAt` null). */
export type WebhookSettlement = { deliveredAt: Date } | { nextAt: Date | null };

export interface ClaimOptions {
  now: Date;
  /** Only orders created at least this long ago (DOKU asks for ~60 s before Check Status). */
  minAgeMs: number;
  /** Not checked within this interval (at most once per order per interval). */
  intervalMs: number;
  limit: number;
  /**
   * How long a claimed order stays claimed while it is being checked: lastCheckedAt is set to
   * now + leaseMs, so no instance takes it again before the check is surely over. Default 0.
   */
  leaseMs?: number;
}

export interface Store {
  /** Create or migrate the schema; safe when several instances start at once. */
  migrate(): Promise<void>;
  /** Insert a new PENDING order in gateway state 'requested' (before DOKU is called). */
  insertOrder(order: NewOrder): Promise<void>;
  /** DOKU accepted the payment: keep its redirect. */
  markAccepted(invoiceNumber: string, redirect: Redirect, now: Date): Promise<void>;
  /** DOKU definitively refused the payment: the order is FAILED (gateway state 'rejected'). */
  markRejected(invoiceNumber: string, now: Date): Promise<Order | null>;
  getOrder(invoiceNumber: string): Promise<Order | null>;
  /**
   * In one transaction: record the inbox entry (duplicate Request-Id -> 'duplicate', nothing else
   * happens), lock the order, run the pure state machine (orders/state.ts `decide`), apply its
   * verdict (a transition bumps `version`; an amount mismatch sets `needsReview`).
   */
  applyReport(input: ApplyInput): Promise<ApplyOutcome>;
  /**
   * Atomically claim PENDING orders due for a Check Status (sets lastCheckedAt = now), so two
   * instances never check the same order at once.
   */
  claimDueForCheck(opts: ClaimOptions): Promise<Order[]>;
  /**
   * The check of a claimed order is over: its interval counts from `at`. Only if the order still
   * holds this claim's lease (`leaseUntil`): a late release never cuts another instance's lease short.
   */
  releaseCheck(invoiceNumber: string, at: Date, leaseUntil: Date): Promise<void>;
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
  /** Inbox rows for an invoice, oldest first (audit and tests). */
  listInbox(invoiceNumber: string): Promise<Array<InboxEntry & { outcome: string }>>;
  /** Status changes of an order, oldest first (audit and tests). */
  listEvents(invoiceNumber: string): Promise<OrderEvent[]>;
  /** Readiness: the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
