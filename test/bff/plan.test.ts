// planReport and planRejection: what one transaction writes, for every order state x reported status
// x amount (same, other, none) x inbox (none, new, already seen) x webhook queueing, checked against
// the hand-written transition table. The stores only carry these plans out (test/bff/store.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAYMENT_STATUSES, type PaymentStatus } from '../../shared/api.ts';
import { statusChangeOf, type Order } from '../../bff/orders/order.ts';
import { planRejection, planReport, type ApplyInput, type Plan, type QueuedEvent } from '../../bff/orders/plan.ts';
import { EXPECTED, summary } from '../helpers/transitions.ts';

const T0 = new Date('2026-03-01T08:00:00.000Z');
const NOW = new Date('2026-03-01T08:05:00.000Z');
const AMOUNT = 40_000;

const orderIn = (status: PaymentStatus): Order => ({
  invoiceNumber: 'INV-PLAN-1',
  amount: AMOUNT,
  status,
  requestId: 'req-plan-1',
  lineItems: [{ name: 'Rendang', price: 20_000, quantity: 2 }],
  reference: null,
  metadata: {},
  customer: null,
  returnUrl: 'https://shop.example/',
  gatewayState: 'accepted',
  redirect: null,
  needsReview: false,
  duplicateOf: null,
  version: status === 'PENDING' ? 0 : 1,
  createdAt: T0,
  updatedAt: T0,
  expiresAt: new Date(T0.getTime() + 15 * 60_000),
  lastCheckedAt: null,
  nextCheckAt: new Date(T0.getTime() + 60_000),
});

const AMOUNTS = { same: AMOUNT, other: AMOUNT - 1, none: undefined } as const;
const INBOX = {
  none: undefined,
  present: { requestId: 'notif-1', invoiceNumber: 'INV-PLAN-1', headers: {}, rawBody: '{}', receivedAt: NOW },
} as const;

/** The plan, worked out by hand from the expected verdict. */
function expectedPlan(order: Order | null, input: ApplyInput, seen: boolean, expected: string): Plan<unknown> {
  const inbox = (outcome: string) => (input.inbox ? { requestId: input.inbox.requestId, outcome } : null);
  const none = { order: null, event: null, inbox: null, announce: null };
  if (seen) return { ...none, outcome: { kind: 'duplicate' } };
  if (!order) return { ...none, outcome: { kind: 'unknown_invoice' }, inbox: inbox('unknown_invoice') };
  let after: Order | null = null;
  let event: QueuedEvent | null = null;
  if (expected.startsWith('to:')) {
    const to = expected.slice(3) as PaymentStatus;
    after = { ...order, status: to, version: order.version + 1, updatedAt: NOW };
    // A paid order is never asked about again; other orders keep their schedule.
    if (to === 'SUCCESS') after.nextCheckAt = null;
    event = {
      invoiceNumber: order.invoiceNumber,
      from: order.status,
      to,
      source: input.source,
      version: order.version + 1,
      at: NOW,
      webhookAt: input.queueWebhook ? NOW : null,
    };
  } else if (expected === 'amount_mismatch') {
    after = { ...order, needsReview: true, updatedAt: NOW };
  }
  const kind = expected.startsWith('to:') ? 'transition' : expected;
  return {
    outcome: { previous: order.status, order: after ?? order },
    order: after,
    event,
    inbox: inbox(kind),
    // Every status change, and nothing else, is announced to open streams.
    announce: event && after && statusChangeOf(after),
  };
}

describe('planReport', () => {
  const states: Array<PaymentStatus | 'missing'> = ['missing', ...PAYMENT_STATUSES];
  for (const state of states) {
    const reportedStatuses = Object.keys(EXPECTED.PENDING);
    for (const reported of reportedStatuses) {
      it(`${state} + ${reported}, every amount, inbox and webhook setting`, () => {
        const order = state === 'missing' ? null : orderIn(state);
        let cases = 0;
        for (const [amountName, amount] of Object.entries(AMOUNTS)) {
          for (const [inboxName, inbox] of Object.entries(INBOX)) {
            for (const seen of inboxName === 'present' ? [false, true] : [false]) {
              for (const queueWebhook of [false, true]) {
                const input: ApplyInput = {
                  invoiceNumber: 'INV-PLAN-1',
                  report: { status: reported, amount },
                  source: inbox ? 'notification' : 'check_status',
                  inbox,
                  now: NOW,
                  queueWebhook,
                };
                const where = `${amountName} amount, inbox ${inboxName}${seen ? ' (seen)' : ''}, webhook ${queueWebhook}`;
                const verdict =
                  state === 'missing' ? '' : amountName === 'other' ? 'amount_mismatch' : EXPECTED[state][reported];
                const plan = planReport(seen ? null : order, input, seen);
                const want = expectedPlan(order, input, seen, verdict);
                if (plan.outcome.kind === 'applied') {
                  assert.equal(summary(plan.outcome.verdict), verdict, where);
                  const { previous, order: after } = plan.outcome;
                  assert.deepEqual({ ...plan, outcome: { previous, order: after } }, want, where);
                } else {
                  assert.deepEqual(plan, want, where);
                }
                // The order read under the lock is never changed in place: a failed write leaves it as read.
                if (order) assert.deepEqual(order, orderIn(order.status));
                cases++;
              }
            }
          }
        }
        assert.equal(cases, 3 * 3 * 2);
      });
    }
  }

  it('a transition to a final state is queued for the webhook only when asked; SUCCESS after FAILED too', () => {
    const input = (queueWebhook: boolean): ApplyInput => ({
      invoiceNumber: 'INV-PLAN-1',
      report: { status: 'SUCCESS', amount: AMOUNT },
      source: 'check_status',
      now: NOW,
      queueWebhook,
    });
    assert.deepEqual(planReport(orderIn('FAILED'), input(true)).event?.webhookAt, NOW);
    assert.equal(planReport(orderIn('FAILED'), input(false)).event?.webhookAt, null);
  });
});

describe('planRejection', () => {
  it('fails a PENDING order with an audited gateway event, and never queues a webhook for it', () => {
    const order = orderIn('PENDING');
    const after = {
      ...order,
      gatewayState: 'rejected' as const,
      status: 'FAILED' as const,
      version: 1,
      updatedAt: NOW,
      // Nothing exists at DOKU to pay: never asked about again.
      nextCheckAt: null,
    };
    assert.deepEqual(planRejection(order, NOW), {
      outcome: after,
      order: after,
      event: {
        invoiceNumber: order.invoiceNumber,
        from: 'PENDING',
        to: 'FAILED',
        source: 'gateway',
        version: 1,
        at: NOW,
        webhookAt: null,
      },
      inbox: null,
      announce: {
        invoiceNumber: order.invoiceNumber,
        status: 'FAILED',
        amount: AMOUNT,
        version: 1,
        updatedAt: NOW.toISOString(),
      },
    });
  });
  it('only remembers the refusal on an order that has moved on (no status change, no event)', () => {
    for (const status of ['SUCCESS', 'FAILED', 'EXPIRED'] as const) {
      const order = orderIn(status);
      const after = { ...order, gatewayState: 'rejected' as const, nextCheckAt: null };
      assert.deepEqual(planRejection(order, NOW), {
        outcome: after,
        order: after,
        event: null,
        inbox: null,
        announce: null,
      });
    }
  });
  it('changes nothing for an unknown invoice', () => {
    assert.deepEqual(planRejection(null, NOW), {
      outcome: null,
      order: null,
      event: null,
      inbox: null,
      announce: null,
    });
  });
});
