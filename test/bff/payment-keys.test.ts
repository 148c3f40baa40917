// planFindOrCreate: what one create-payment transaction does with what the request's keys find,
// case by case (the stores only read and carry it out: test/bff/store-payments.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Redirect } from '../../shared/api.ts';
import { pendingOrder, type NewOrder, type Order } from '../../bff/orders/order.ts';
import {
  paymentKeysOf,
  planFindOrCreate,
  type FindOrCreateInput,
  type FoundPayments,
} from '../../bff/orders/payment-keys.ts';

const NOW = new Date('2026-05-01T10:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const REDIRECT: Redirect = {
  method: 'POST',
  url: 'https://pay.example/',
  parameters: [{ name: 'Message', value: 'm' }],
};
const IN_FLIGHT_MS = 35_000;

const newOrder = (over: Partial<NewOrder> = {}): NewOrder => ({
  invoiceNumber: 'INV-NEW',
  amount: 10_000,
  requestId: 'req-new',
  lineItems: [{ name: 'Kopi', price: 10_000, quantity: 1 }],
  reference: 'ORDER-1',
  returnUrl: 'https://shop.example/',
  createdAt: NOW,
  expiresAt: at(15 * 60_000),
  statusTokenHash: 'a'.repeat(64),
  ...over,
});

/** An earlier payment: ready (DOKU answered), in flight, or never answered; in a status; expiring at. */
function earlier(over: Partial<Order> = {}): Order {
  return {
    ...pendingOrder(newOrder({ invoiceNumber: 'INV-OLD', requestId: 'req-old', createdAt: at(-60_000) })),
    gatewayState: 'accepted',
    redirect: REDIRECT,
    ...over,
  };
}
const inFlight = (over: Partial<Order> = {}) =>
  earlier({ gatewayState: 'requested', redirect: null, createdAt: at(-1_000), ...over });
const neverAnswered = (over: Partial<Order> = {}) =>
  earlier({ gatewayState: 'requested', redirect: null, createdAt: at(-IN_FLIGHT_MS - 1), ...over });

const input = (over: Partial<FindOrCreateInput> = {}): FindOrCreateInput => ({
  order: newOrder(),
  idempotency: { scope: 'https://shop.example', name: 'cart-1', requestHash: 'h1' },
  now: NOW,
  inFlightMs: IN_FLIGHT_MS,
  ...over,
});
const nothing: FoundPayments = { byKey: null, byReference: null, paidInvoice: null };
const plan = (found: Partial<FoundPayments>, over: Partial<FindOrCreateInput> = {}) =>
  planFindOrCreate({ ...nothing, ...found }, input(over));
const outcomeOf = (found: Partial<FoundPayments>, over: Partial<FindOrCreateInput> = {}) => {
  const { outcome } = plan(found, over);
  return outcome.kind === 'created' || outcome.kind === 'key_reused' || outcome.kind === 'already_paid'
    ? outcome.kind
    : `${outcome.kind} ${outcome.order.invoiceNumber}`;
};

describe('planFindOrCreate', () => {
  it('locks the idempotency key, then the reference: always in that order', () => {
    assert.deepEqual(paymentKeysOf(input()), [
      { kind: 'idempotency', scope: 'https://shop.example', name: 'cart-1' },
      { kind: 'reference', scope: '', name: 'ORDER-1' },
    ]);
    assert.deepEqual(paymentKeysOf(input({ idempotency: undefined, order: newOrder({ reference: null }) })), []);
  });

  it('nothing found: inserts the order and points both keys at it until it expires', () => {
    const p = plan({});
    assert.equal(p.outcome.kind, 'created');
    assert.deepEqual(p.insert, input().order);
    assert.deepEqual(p.keys, [
      {
        kind: 'idempotency',
        scope: 'https://shop.example',
        name: 'cart-1',
        requestHash: 'h1',
        invoiceNumber: 'INV-NEW',
        expiresAt: at(15 * 60_000),
      },
      {
        kind: 'reference',
        scope: '',
        name: 'ORDER-1',
        requestHash: null,
        invoiceNumber: 'INV-NEW',
        expiresAt: at(15 * 60_000),
      },
    ]);
    assert.deepEqual(plan({}, { idempotency: undefined, order: newOrder({ reference: null }) }).keys, []);
  });

  const cases: Array<[string, Partial<FoundPayments>, string]> = [
    ['same key, same request, ready', { byKey: { requestHash: 'h1', order: earlier() } }, 'found INV-OLD'],
    [
      'same key, ready but FAILED since: its current status is answered',
      { byKey: { requestHash: 'h1', order: earlier({ status: 'FAILED' }) } },
      'found INV-OLD',
    ],
    [
      'same key, ready, even when the reference is paid since',
      { byKey: { requestHash: 'h1', order: earlier({ status: 'SUCCESS' }) }, paidInvoice: 'INV-OLD' },
      'found INV-OLD',
    ],
    ['same key, another request', { byKey: { requestHash: 'h2', order: earlier() } }, 'key_reused'],
    ['same key, DOKU still creating it', { byKey: { requestHash: 'h1', order: inFlight() } }, 'in_progress INV-OLD'],
    ['same key, DOKU never answered for it', { byKey: { requestHash: 'h1', order: neverAnswered() } }, 'created'],
    [
      'same key, DOKU refused it',
      { byKey: { requestHash: 'h1', order: neverAnswered({ gatewayState: 'rejected', createdAt: at(-1) }) } },
      'created',
    ],
    ['the reference is paid', { paidInvoice: 'INV-PAID' }, 'already_paid'],
    ['the reference is paid, whatever is pending', { paidInvoice: 'INV-PAID', byReference: earlier() }, 'already_paid'],
    ['the reference has a PENDING payment', { byReference: earlier() }, 'found INV-OLD'],
    ['the reference has one DOKU is still creating', { byReference: inFlight() }, 'in_progress INV-OLD'],
    ['the reference has one DOKU never answered for', { byReference: neverAnswered() }, 'created'],
    ['the reference has only a FAILED one', { byReference: earlier({ status: 'FAILED' }) }, 'created'],
    ['the reference has only an EXPIRED one', { byReference: earlier({ status: 'EXPIRED' }) }, 'created'],
    [
      'the reference has a PENDING one past its expiry (not yet reconciled)',
      { byReference: earlier({ expiresAt: NOW }) },
      'created',
    ],
  ];
  for (const [what, found, expected] of cases) {
    it(`${what}: ${expected}`, () => assert.equal(outcomeOf(found), expected));
  }

  it('a payment found by reference is found by the caller key from then on; a replay by key changes no key', () => {
    const byRef = plan({ byReference: earlier() });
    assert.equal(byRef.insert, null);
    assert.deepEqual(byRef.keys, [
      {
        kind: 'idempotency',
        scope: 'https://shop.example',
        name: 'cart-1',
        requestHash: 'h1',
        invoiceNumber: 'INV-OLD',
        expiresAt: earlier().expiresAt,
      },
    ]);
    assert.deepEqual(plan({ byKey: { requestHash: 'h1', order: earlier() } }).keys, []);
    assert.deepEqual(plan({ byReference: inFlight() }).keys, [], 'nothing to point at before DOKU answers');
  });

  it('found or in progress: hands out the redirect DOKU gave, and inserts nothing', () => {
    const p = plan({ byKey: { requestHash: 'h1', order: earlier() } });
    assert.deepEqual(p.outcome, { kind: 'found', order: earlier(), redirect: REDIRECT });
    assert.equal(p.insert, null);
  });
});
