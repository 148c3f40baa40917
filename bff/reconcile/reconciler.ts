// Reconciliation: DOKU's notifications can be lost, and DOKU notifies no expiry, so orders are asked
// about with Check Status when they are due (reconcile/schedule.ts): a PENDING order every interval
// once it is a minute old, and once more past its expiry before it is marked EXPIRED; a FAILED or
// EXPIRED one on a back-off for 48 h, in case the money was taken after all (a late payment). Each
// pass keeps claiming while work is due, orders past expiry first, with a bounded number of checks
// in flight; the store's claim leases each order, so no two instances ask about one at once.
// Answers go through the same state machine as notifications.
import { GatewayError, type DokuClient } from '../doku/client.ts';
import { Loop } from '../lib/loop.ts';
import { applyReport, type ApplyDeps } from '../payments/apply-report.ts';
import { newRequestId } from '../orders/ids.ts';
import type { Order, ReportSource } from '../orders/order.ts';
import type { Report } from '../orders/state.ts';
import type { CheckQueue } from '../store/types.ts';
import { nextCheckAt } from './schedule.ts';

export interface ReconcilerDeps extends ApplyDeps {
  doku: Pick<DokuClient, 'checkStatus'>;
  intervalMs: number;
  /** DOKU asks for about 60 s between a payment and its first Check Status. */
  minAgeMs?: number;
  /** Checks in flight at once (RECONCILE_CONCURRENCY). */
  concurrency?: number;
  /** At least the DOKU client's timeout: an order being checked is not claimed again meanwhile. */
  checkLeaseMs?: number;
  /** What time it is (tests move it); default the system clock. */
  clock?: () => Date;
}

export interface TickResult {
  checked: number;
  changed: number;
  expired: number;
  /** FAILED or EXPIRED orders found paid. */
  late: number;
  errors: number;
}

type CheckOutcome = { kind: 'changed' | 'expired' | 'late' | 'unchanged'; order: Order };

export class Reconciler {
  private running?: Promise<TickResult>;
  private started = false;
  private stopping = false;
  /** A pass every interval (a pass counts its own errors: it never fails as a whole). */
  private readonly loop: Loop;

  constructor(private readonly deps: ReconcilerDeps) {
    this.loop = new Loop({ intervalMs: deps.intervalMs, runAtStart: false, run: async () => void (await this.tick()) });
  }

  start(): void {
    this.started = true;
    this.loop.start();
  }

  /** For good; a pass in progress ends after the checks in flight (the loop's, or one a caller started). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop.stop();
    await this.running?.catch(() => undefined);
  }

  /** One pass; `now` is a parameter so tests can move time. Overlapping calls share one pass. */
  tick(now: Date = this.deps.clock?.() ?? new Date()): Promise<TickResult> {
    this.running ??= this.pass(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(now: Date): Promise<TickResult> {
    const result: TickResult = { checked: 0, changed: 0, expired: 0, late: 0, errors: 0 };
    const started = Date.now();
    /** The pass's clock: `now` moved on by the real time spent, so each claim's lease starts when it is taken. */
    const clock = () => new Date(now.getTime() + (Date.now() - started));
    // A pass takes what was due when it began, earliest first: what comes due meanwhile (a short
    // interval, new orders) is the next pass's, which starts at once when this one did any work.
    let expiryDrained = false;
    const claim = async (at: Date): Promise<Order | undefined> => {
      if (!expiryDrained) {
        const [order] = await this.claim('expiry', at, now);
        if (order) return order;
        expiryDrained = true;
      }
      return (await this.claim('due', at, now))[0];
    };
    // Each worker claims one order just before its check, leased for longer than a check can take.
    const worker = async () => {
      while (!this.stopping) {
        const claimedAt = clock();
        const leaseUntil = new Date(claimedAt.getTime() + (this.deps.checkLeaseMs ?? 0));
        let order: Order | undefined;
        try {
          order = await claim(claimedAt);
        } catch (err) {
          this.deps.log.warn({ reason: (err as Error).message }, 'reconciliation could not read the store');
          result.errors++;
          return;
        }
        if (!order) return;
        let after = order;
        try {
          const outcome = await this.check(order, claimedAt);
          after = outcome.order;
          result.checked++;
          if (outcome.kind !== 'unchanged') result[outcome.kind]++;
        } catch (err) {
          result.errors++;
          const reason = err instanceof GatewayError ? `${err.kind}: ${err.message}` : (err as Error).message;
          this.deps.log.warn({ invoice: order.invoiceNumber, reason }, 'check status failed; will ask again');
        }
        // The lease only had to outlast the check: the next one is scheduled from when it ended.
        const next = nextCheckAt(after, clock(), this.deps.intervalMs);
        await this.deps.store
          .releaseCheck(order.invoiceNumber, { leaseUntil, nextCheckAt: next })
          .catch(() => undefined);
      }
    };
    await Promise.all(Array.from({ length: this.deps.concurrency ?? 8 }, worker));
    if (result.checked > 0 && this.started) this.loop.kick();
    // Quiet when nothing moved: with the simulator a pending order is asked about every 2 s.
    if (result.changed + result.expired + result.late + result.errors > 0)
      this.deps.log.info(result, 'reconciliation pass');
    else if (result.checked > 0) this.deps.log.debug(result, 'reconciliation pass');
    return result;
  }

  private claim(queue: CheckQueue, now: Date, dueBy: Date): Promise<Order[]> {
    return this.deps.store.claimDueForCheck({
      queue,
      now,
      dueBy,
      minAgeMs: this.deps.minAgeMs ?? 60_000,
      limit: 1,
      leaseMs: this.deps.checkLeaseMs,
    });
  }

  private async check(order: Order, now: Date): Promise<CheckOutcome> {
    const answer = await this.deps.doku.checkStatus(order.invoiceNumber, newRequestId());
    const apply = async (report: Report, source: ReportSource, kind: CheckOutcome['kind']): Promise<CheckOutcome> => {
      const outcome = await applyReport(this.deps, { invoiceNumber: order.invoiceNumber, report, source, now });
      if (outcome.kind !== 'applied') return { kind: 'unchanged', order };
      return { kind: outcome.verdict.kind === 'transition' ? kind : 'unchanged', order: outcome.order };
    };
    if (order.status !== 'PENDING') {
      // A late check: only money taken can change a final order; any other answer leaves it be.
      if (!answer.found || answer.status !== 'SUCCESS') return { kind: 'unchanged', order };
      return apply({ status: answer.status, amount: answer.amount }, 'check_status', 'late');
    }
    if (answer.found) {
      const outcome = await apply({ status: answer.status, amount: answer.amount }, 'check_status', 'changed');
      if (outcome.kind !== 'unchanged' || outcome.order.status !== 'PENDING') return outcome;
      // TIMEOUT means DOKU could not tell yet: ask again, never expire on it. SUCCESS that was not
      // applied (a different amount: flagged for review) is money taken: never expire it.
      if (answer.status === 'TIMEOUT' || answer.status === 'SUCCESS') return outcome;
    }
    // Still undecided (or unknown to DOKU) after it was asked once more past its expiry: EXPIRED.
    if (now.getTime() >= order.expiresAt.getTime()) return apply({ status: 'EXPIRED' }, 'expiry', 'expired');
    return { kind: 'unchanged', order };
  }
}
