// The simulator's memory: payments by invoice number, with indexes by Request-Id (idempotency,
// Check Status) and by the opaque Message token (the LinkAja page). Bounded: the oldest go first.
import type { LinkAjaPaymentRequest } from '../doku/schemas.ts';

export type SimulatedStatus = 'PENDING' | 'SUCCESS' | 'FAILED' | 'EXPIRED';
export type Decision = 'pay' | 'cancel' | 'expire';

/** What each button on the LinkAja page (and `decide()`) turns a payment into. */
export const DECISION_STATUS: Record<Decision, Exclude<SimulatedStatus, 'PENDING'>> = {
  pay: 'SUCCESS',
  cancel: 'FAILED',
  expire: 'EXPIRED',
};

export function isDecision(value: unknown): value is Decision {
  return value === 'pay' || value === 'cancel' || value === 'expire';
}

export interface NotificationAttempt {
  at: Date;
  /** HTTP status of the merchant's answer, or why no answer came (network error, timeout). */
  result: number | string;
}

export interface SimulatedPayment {
  readonly invoiceNumber: string;
  readonly amount: number;
  /** Request-Id of the create request. */
  readonly requestId: string;
  readonly request: LinkAjaPaymentRequest;
  /** Digest of the create request's raw body: a repeat with the same Request-Id must match it. */
  readonly requestDigest: string;
  /** The exact response body sent on create (answered again, freshly signed, on a 409 repeat). */
  readonly responseBody: string;
  /** The opaque token the browser posts to the LinkAja page. */
  readonly message: string;
  readonly terminalId: string;
  /** Where notifications go (override_notification_url or the simulator's default); may be absent. */
  readonly notificationUrl?: string;
  readonly createdAt: Date;
  status: SimulatedStatus;
  /** How many times the LinkAja page was shown for it (the same redirect posted again counts). */
  pageVisits: number;
  decidedAt?: Date;
  /** Set when decided: the customer's LinkAja account and the approval code, as in DOKU's notification. */
  accountId?: string;
  approvalCode?: string;
  readonly notifications: NotificationAttempt[];
}

export class PaymentBook {
  private readonly byInvoice = new Map<string, SimulatedPayment>();
  private readonly byRequestId = new Map<string, string>();
  private readonly byMessage = new Map<string, string>();

  constructor(private readonly maxPayments = 10_000) {}

  get size(): number {
    return this.byInvoice.size;
  }

  add(p: SimulatedPayment): void {
    this.byInvoice.set(p.invoiceNumber, p);
    this.byRequestId.set(p.requestId, p.invoiceNumber);
    this.byMessage.set(p.message, p.invoiceNumber);
    // Maps iterate in insertion order, so the first key is the oldest payment.
    while (this.byInvoice.size > this.maxPayments) {
      const oldest = this.byInvoice.values().next().value as SimulatedPayment;
      this.byInvoice.delete(oldest.invoiceNumber);
      this.byRequestId.delete(oldest.requestId);
      this.byMessage.delete(oldest.message);
    }
  }

  /** Every payment held, oldest first. */
  all(): SimulatedPayment[] {
    return [...this.byInvoice.values()];
  }

  byInvoiceNumber(invoice: string): SimulatedPayment | undefined {
    return this.byInvoice.get(invoice);
  }

  byCreateRequestId(requestId: string): SimulatedPayment | undefined {
    const invoice = this.byRequestId.get(requestId);
    return invoice === undefined ? undefined : this.byInvoice.get(invoice);
  }

  byMessageToken(message: string): SimulatedPayment | undefined {
    const invoice = this.byMessage.get(message);
    return invoice === undefined ? undefined : this.byInvoice.get(invoice);
  }

  /** Check Status accepts either the invoice number or the create Request-Id. */
  find(id: string): SimulatedPayment | undefined {
    return this.byInvoiceNumber(id) ?? this.byCreateRequestId(id);
  }
}
