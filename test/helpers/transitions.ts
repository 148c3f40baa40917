// The whole state-machine table, written out by hand from DESIGN.md's trust rules: every
// (state, reported status) pair, for an amount that matches (or is not reported).
import type { PaymentStatus } from '../../shared/api.ts';
import type { Verdict } from '../../bff/orders/state.ts';

export type Expected = Verdict['kind'] | `to:${PaymentStatus}`;

export const EXPECTED: Record<PaymentStatus, Record<string, Expected>> = {
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

export const summary = (v: Verdict): Expected => (v.kind === 'transition' ? `to:${v.to}` : v.kind);
