// The order state machine: a pure function from (order, report) to what should happen.
// Trust rules from DESIGN.md: PENDING -> SUCCESS | FAILED | EXPIRED; FAILED or EXPIRED -> SUCCESS
// (money DOKU took is never lost); SUCCESS never moves; a wrong amount never marks an order paid.
import type { PaymentStatus } from '../../shared/api.ts';

export interface Report {
  /** The status DOKU reported (any string: unknown ones change nothing). */
  status: string;
  /** The amount DOKU reported, already parsed to a number; undefined when it gave none. */
  amount?: number;
}

export type Verdict =
  /** The order moves to `to`. */
  | { kind: 'transition'; to: PaymentStatus }
  /** Already in that state, or a status that does not move it (PENDING, TIMEOUT). */
  | { kind: 'no_change' }
  /** The transition is not allowed (e.g. FAILED after SUCCESS). */
  | { kind: 'refused'; reason: string }
  /** A status we do not act on (REFUNDED, REDIRECT, anything new): logged, nothing changes. */
  | { kind: 'unknown_status' }
  /** Reported amount differs from the stored amount: flag the order for review, change nothing. */
  | { kind: 'amount_mismatch' };

const ALLOWED: Record<PaymentStatus, readonly PaymentStatus[]> = {
  PENDING: ['SUCCESS', 'FAILED', 'EXPIRED'],
  FAILED: ['SUCCESS'],
  EXPIRED: ['SUCCESS'],
  SUCCESS: [],
};

const ACTIONABLE = new Set<string>(['SUCCESS', 'FAILED', 'EXPIRED']);
/** Statuses that say "not decided yet": no change, no alarm. */
const WAITING = new Set<string>(['PENDING', 'TIMEOUT']);

export function decide(current: PaymentStatus, storedAmount: number, report: Report): Verdict {
  if (report.amount !== undefined && report.amount !== storedAmount) return { kind: 'amount_mismatch' };
  if (WAITING.has(report.status)) return { kind: 'no_change' };
  if (!ACTIONABLE.has(report.status)) return { kind: 'unknown_status' };
  const to = report.status as PaymentStatus;
  if (to === current) return { kind: 'no_change' };
  if (ALLOWED[current].includes(to)) return { kind: 'transition', to };
  return { kind: 'refused', reason: `${current} never moves to ${to}` };
}
