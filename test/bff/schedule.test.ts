// When reconciliation next asks about an order (reconcile/schedule.ts), worked out by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LATE_CHECKS_FOR_MS, nextCheckAt, type Scheduled } from '../../bff/reconcile/schedule.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const CREATED = Date.parse('2026-05-01T08:00:00.000Z');
const at = (ms: number) => new Date(CREATED + ms);
const order = (over: Partial<Scheduled>): Scheduled => ({
  status: 'PENDING',
  gatewayState: 'accepted',
  createdAt: at(0),
  updatedAt: at(0),
  expiresAt: at(15 * MIN),
  ...over,
});

describe('nextCheckAt', () => {
  const interval = 30_000;

  it('PENDING: one interval on, but never later than the expiry; past it, every interval', () => {
    assert.deepEqual(nextCheckAt(order({}), at(MIN), interval), at(MIN + interval));
    assert.deepEqual(nextCheckAt(order({}), at(15 * MIN - 10_000), interval), at(15 * MIN), 'due at its expiry');
    assert.deepEqual(nextCheckAt(order({}), at(16 * MIN), interval), at(16 * MIN + interval));
  });

  it('SUCCESS, and a FAILED order DOKU refused to create: never again', () => {
    assert.equal(nextCheckAt(order({ status: 'SUCCESS' }), at(MIN), interval), null);
    assert.equal(nextCheckAt(order({ status: 'FAILED', gatewayState: 'rejected' }), at(MIN), interval), null);
  });

  for (const status of ['EXPIRED', 'FAILED'] as const) {
    it(`${status}: at 1, 2, 4, 8 … intervals after it became final, at most an hour apart, until 48 h after creation`, () => {
      const final = 16 * MIN;
      const o = order({ status, updatedAt: at(final) });
      // Scheduled as it became final; every later check comes exactly when due.
      const offsets: number[] = [];
      for (let t: Date | null = nextCheckAt(o, at(final), interval); t; t = nextCheckAt(o, t, interval))
        offsets.push(t.getTime() - CREATED - final);
      const early = offsets.slice(0, 8).map((ms) => Math.round(ms / interval));
      assert.deepEqual(early, [1, 2, 4, 8, 16, 32, 64, 128]);
      const gaps = offsets.slice(1).map((ms, i) => ms - offsets[i]);
      assert.ok(
        gaps.every((g) => g <= HOUR),
        'never more than an hour apart',
      );
      assert.equal(gaps.at(-1), HOUR, 'hourly once the gap has grown to an hour');
      const last = CREATED + final + offsets.at(-1)!;
      assert.ok(last <= CREATED + LATE_CHECKS_FOR_MS && last > CREATED + LATE_CHECKS_FOR_MS - HOUR, 'up to 48 h');
      assert.ok(offsets.length < 60, `${offsets.length} late checks in all`);
    });
  }

  it('no late check for an order older than 48 h', () => {
    const o = order({ status: 'EXPIRED', updatedAt: at(16 * MIN) });
    assert.equal(nextCheckAt(o, at(LATE_CHECKS_FOR_MS), interval), null);
  });
});
