// The same payment again instead of a second one: found by the caller's Idempotency-Key (scoped per
// calling origin) or by the merchant's reference. Decided without a database, like plan.ts: the store
// locks the request's keys, reads what the plan needs, and carries it out in the same transaction, so
// two requests (or two instances) never make two DOKU payments for one key or one reference.
import type { Redirect } from '../../shared/api.ts';
import { pendingOrder, type NewOrder, type Order } from './order.ts';

export type PaymentKeyKind = 'idempotency' | 'reference';

/** A key that finds a payment. References are not scoped (scope ''): they are the merchant's own. */
export interface PaymentKey {
  kind: PaymentKeyKind;
  scope: string;
  name: string;
}

/** A stored key: the payment it finds until `expiresAt` (the payment's own expiry). */
export interface PaymentKeyRow extends PaymentKey {
  invoiceNumber: string;
  /** Idempotency keys: the hash of the request body they were first used with. */
  requestHash: string | null;
  expiresAt: Date;
}

export interface FindOrCreateInput {
  /** The payment to make when none is found; its reference (if any) is one of the keys. */
  order: NewOrder;
  /** The caller's Idempotency-Key; `scope` is the calling origin ('' for a server-to-server caller). */
  idempotency?: { scope: string; name: string; requestHash: string };
  now: Date;
  /**
   * How long DOKU's create call can take. A payment still without its redirect after that never gets
   * one (its call failed or its process died): its keys are free again.
   */
  inFlightMs: number;
}

/** What the store read under the keys' lock. */
export interface FoundPayments {
  /** The payment the unexpired idempotency key finds, with the request hash it was made for. */
  byKey: { requestHash: string | null; order: Order } | null;
  /** The payment the unexpired reference key finds. */
  byReference: Order | null;
  /** A paid order of the same reference (its invoice), if any. */
  paidInvoice: string | null;
}

export type FindOrCreateOutcome =
  /** Inserted (PENDING, DOKU not asked yet): the caller asks DOKU now. */
  | { kind: 'created'; order: Order }
  /** The same payment again: hand out its redirect. */
  | { kind: 'found'; order: Order; redirect: Redirect }
  /** The same payment, but DOKU has not answered for it yet: wait a little for its redirect. */
  | { kind: 'in_progress'; order: Order }
  | { kind: 'key_reused' }
  | { kind: 'already_paid'; invoiceNumber: string };

export interface FindOrCreatePlan {
  outcome: FindOrCreateOutcome;
  /** The order to insert (with its tokens), or null. */
  insert: NewOrder | null;
  /** Keys to point at the outcome's payment (inserted, or replacing expired ones). */
  keys: PaymentKeyRow[];
}

/** The keys a request names, in the order they are locked (always this order: no deadlock). */
export function paymentKeysOf(input: Pick<FindOrCreateInput, 'order' | 'idempotency'>): PaymentKey[] {
  const keys: PaymentKey[] = [];
  const { idempotency, order } = input;
  if (idempotency) keys.push({ kind: 'idempotency', scope: idempotency.scope, name: idempotency.name });
  if (order.reference) keys.push({ kind: 'reference', scope: '', name: order.reference });
  return keys;
}

/** Whether a payment can be handed out again (DOKU gave it a redirect), may still be, or never will. */
function availability(order: Order, input: FindOrCreateInput): FindOrCreateOutcome | 'gone' {
  if (order.redirect) return { kind: 'found', order, redirect: order.redirect };
  const young = input.now.getTime() - order.createdAt.getTime() < input.inFlightMs;
  return order.gatewayState === 'requested' && young ? { kind: 'in_progress', order } : 'gone';
}

const only = (outcome: FindOrCreateOutcome): FindOrCreatePlan => ({ outcome, insert: null, keys: [] });

export function planFindOrCreate(found: FoundPayments, input: FindOrCreateInput): FindOrCreatePlan {
  const { idempotency } = input;
  const keyTo = (order: Order): PaymentKeyRow[] =>
    idempotency
      ? [{ kind: 'idempotency', ...idempotency, invoiceNumber: order.invoiceNumber, expiresAt: order.expiresAt }]
      : [];

  // The key first: its payment is answered again whatever became of it (or of the reference) since.
  if (found.byKey && idempotency) {
    if (found.byKey.requestHash !== idempotency.requestHash) return only({ kind: 'key_reused' });
    const again = availability(found.byKey.order, input);
    if (again !== 'gone') return only(again);
  }
  if (found.paidInvoice !== null) return only({ kind: 'already_paid', invoiceNumber: found.paidInvoice });
  const pending = found.byReference;
  if (pending && pending.status === 'PENDING' && input.now < pending.expiresAt) {
    const again = availability(pending, input);
    // Once found, the key finds it too: the caller's replays get it without asking the reference.
    if (again !== 'gone') return { outcome: again, insert: null, keys: again.kind === 'found' ? keyTo(pending) : [] };
  }
  // Nothing to hand out again (none, only failed or expired ones, or one DOKU never answered for).
  const order = pendingOrder(input.order);
  const reference: PaymentKeyRow[] = order.reference
    ? [
        {
          kind: 'reference',
          scope: '',
          name: order.reference,
          invoiceNumber: order.invoiceNumber,
          requestHash: null,
          expiresAt: order.expiresAt,
        },
      ]
    : [];
  return { outcome: { kind: 'created', order }, insert: input.order, keys: [...keyTo(order), ...reference] };
}
