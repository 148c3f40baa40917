import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAYMENT_STATUSES } from '../../shared/api.ts';
import { DOKU_STATUSES } from '../../bff/doku/schemas.ts';
import { decide } from '../../bff/orders/state.ts';
import { EXPECTED, summary } from '../helpers/transitions.ts';

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
