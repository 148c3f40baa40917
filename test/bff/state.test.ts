import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAYMENT_STATUSES, type PaymentStatus } from '../../shared/api.ts';
import { DOKU_STATUSES } from '../../bff/doku/schemas.ts';
import { decide, type Verdict } from '../../bff/orders/state.ts';

// The whole table, written out by hand from DESIGN.md's trust rules: every (state, reported) pair.
const EXPECTED: Record<PaymentStatus, Record<string, Verdict['kind'] | `to:${PaymentStatus}`>> = {
  PENDING: {
    PENDING: 'no_change',
    SUCCESS: 'to:SUCCESS',
    FAILED: 'to:FAILED',
    EXPIRED: 'to:EXPIRED',
    REFUNDED: 'unknown_status',
    TIMEOUT: 'no_change',
    REDIRECT: 'unknown_status',
    BOGUS: 'unknown_status',
  },
  SUCCESS: {
    PENDING: 'no_change',
    SUCCESS: 'no_change',
    FAILED: 'refused',
    EXPIRED: 'refused',
    REFUNDED: 'unknown_status',
    TIMEOUT: 'no_change',
    REDIRECT: 'unknown_status',
    BOGUS: 'unknown_status',
  },
  FAILED: {
    PENDING: 'no_change',
    SUCCESS: 'to:SUCCESS',
    FAILED: 'no_change',
    EXPIRED: 'refused',
    REFUNDED: 'unknown_status',
    TIMEOUT: 'no_change',
    REDIRECT: 'unknown_status',
    BOGUS: 'unknown_status',
  },
  EXPIRED: {
    PENDING: 'no_change',
    SUCCESS: 'to:SUCCESS',
    FAILED: 'refused',
    EXPIRED: 'no_change',
    REFUNDED: 'unknown_status',
    TIMEOUT: 'no_change',
    REDIRECT: 'unknown_status',
    BOGUS: 'unknown_status',
  },
};

const summary = (v: Verdict) => (v.kind === 'transition' ? `to:${v.to}` : v.kind);

describe('order state machine', () => {
  it('covers every DOKU status and every order state', () => {
    for (const s of PAYMENT_STATUSES) for (const d of DOKU_STATUSES) assert.ok(d in EXPECTED[s], `${s}/${d}`);
  });
  for (const current of PAYMENT_STATUSES) {
    for (const [reported, expected] of Object.entries(EXPECTED[current])) {
      it(`${current} + ${reported} -> ${expected}`, () => {
        assert.equal(summary(decide(current, 10000, { status: reported, amount: 10000 })), expected);
        // Without an amount (Check Status may omit it) the verdict is the same.
        assert.equal(summary(decide(current, 10000, { status: reported })), expected);
      });
    }
  }
  it('an amount that differs never marks the order paid, from any state', () => {
    for (const current of PAYMENT_STATUSES) {
      assert.equal(decide(current, 10000, { status: 'SUCCESS', amount: 9999 }).kind, 'amount_mismatch');
      assert.equal(decide(current, 10000, { status: 'SUCCESS', amount: 10000.01 }).kind, 'amount_mismatch');
    }
  });
  it('SUCCESS never moves', () => {
    for (const reported of [...DOKU_STATUSES, 'X']) {
      assert.notEqual(decide('SUCCESS', 5, { status: reported, amount: 5 }).kind, 'transition');
    }
  });
});
