// An order and the records kept about it, as the domain sees them; the stores persist these shapes.
import type { Customer, PaymentStatus, Redirect } from '../../shared/api.ts';
import type { LineItem } from './line-items.ts';
import type { Metadata } from './reference.ts';

/** Where the order is with DOKU's create-payment call. */
export type GatewayState = 'requested' | 'accepted' | 'rejected';

export interface Order {
  invoiceNumber: string;
  amount: number;
  status: PaymentStatus;
  /** DOKU Request-Id of the create-payment call, kept for its retries. */
  requestId: string;
  lineItems: LineItem[];
  /** The merchant's order id (order token `ref`, or resolveOrder's `reference`). */
  reference: string | null;
  /** The merchant's own key-value pairs about the order. */
  metadata: Metadata;
  /** What the customer said about themselves (validated; phone in DOKU's 08… form). */
  customer: Customer | null;
  /** The merchant's return URL, without the parameters added for DOKU (the ticket is never stored). */
  returnUrl: string;
  gatewayState: GatewayState;
  redirect: Redirect | null;
  /** Set when DOKU reported a different amount: a person must look. */
  needsReview: boolean;
  /** Paid although another payment of its reference was paid first (that one's invoice): refund one. */
  duplicateOf: string | null;
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

export interface NewOrder
  extends
    Pick<Order, 'invoiceNumber' | 'amount' | 'requestId' | 'lineItems' | 'returnUrl' | 'createdAt' | 'expiresAt'>,
    Partial<Pick<Order, 'reference' | 'metadata' | 'customer'>> {
  /** SHA-256 hex of the status token its creation answers with; the token itself is never stored. */
  statusTokenHash: string;
  /** The return ticket DOKU's callback_url carries, stored with the order so it works from the start. */
  returnTicket?: { hash: string; expiresAt: Date };
}

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
export const pendingOrder = ({ statusTokenHash: _s, returnTicket: _r, ...o }: NewOrder): Order => ({
  ...o,
  reference: o.reference ?? null,
  metadata: o.metadata ?? {},
  customer: o.customer ?? null,
  duplicateOf: null,
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
