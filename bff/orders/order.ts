// An order and the records kept about it, as the domain sees them; the stores persist these shapes.
import type { PaymentStatus, Redirect } from '../../shared/api.ts';
import type { LineItem } from './line-items.ts';

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
  /** When reconciliation is next due to ask about it (null: never again; see reconcile/schedule.ts). */
  nextCheckAt: Date | null;
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

/** A freshly created order: PENDING, DOKU not asked yet, no change so far. */
export const pendingOrder = (o: NewOrder): Order => ({
  ...o,
  status: 'PENDING',
  gatewayState: 'requested',
  redirect: null,
  needsReview: false,
  version: 0,
  updatedAt: o.createdAt,
  lastCheckedAt: null,
  // Due from its creation; the claim holds back orders younger than DOKU's minute.
  nextCheckAt: o.createdAt,
});

/** What open status streams hear when an order's status changes. */
export interface StatusChange {
  invoiceNumber: string;
  status: PaymentStatus;
  amount: number;
  /** The order's version after the change (the SSE event id). */
  version: number;
  updatedAt: string;
}

/** The change to announce for an order as it now stands. */
export const statusChangeOf = (o: Pick<Order, 'invoiceNumber' | 'status' | 'amount' | 'version' | 'updatedAt'>) =>
  ({
    invoiceNumber: o.invoiceNumber,
    status: o.status,
    amount: o.amount,
    version: o.version,
    updatedAt: o.updatedAt.toISOString(),
  }) satisfies StatusChange;
