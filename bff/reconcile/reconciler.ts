// Reconciliation: DOKU's notifications can be lost, so an order still PENDING a minute after it was
// created is asked about with Check Status (at most once per order per interval; the store's claim
// makes that hold across instances), and an order past its expiry is asked once more before it is
// marked EXPIRED. Answers go through the same state machine as notifications.
import { GatewayError, type DokuClient } from '../doku/client.ts';
import { Loop } from '../lib/loop.ts';
import { applyReport, type ApplyDeps } from '../payments/apply-report.ts';
import { newRequestId } from '../orders/ids.ts';
import type { Order } from '../orders/order.ts';

export interface ReconcilerDeps extends ApplyDeps {
  doku: Pick<DokuClient, 'checkStatus'>;
  intervalMs: number;
  /** DOKU asks for about 60 s between a payment and its first Check Status. */
  minAgeMs?: number;
  batchSize?: number;
  /** At least the DOKU client's timeout: an order being checked is not claimed again meanwhile. */
  checkLeaseMs?: number;
}

export interface TickResult {
  checked: number;
  changed: number;
  expired: number;
  errors: number;
}

export class Reconciler {
  private running?: Promise<TickResult>;
  /** A pass every interval (a pass counts its own errors: it never fails as a whole). */
  private readonly loop: Loop;

  constructor(private readonly deps: ReconcilerDeps) {
    this.loop = new Loop({ intervalMs: deps.intervalMs, runAtStart: false, run: async () => void (await this.tick()) });
  }

  start(): void {
    this.loop.start();
  }

  /** For good; waits for a pass in progress (the loop's, or one a caller started with tick()). */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.running?.catch(() => undefined);
  }

  /** One pass; `now` is a parameter so tests can move time. Overlapping calls share one pass. */
  tick(now: Date = new Date()): Promise<TickResult> {
    this.running ??= this.pass(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(now: Date): Promise<TickResult> {
    const result: TickResult = { checked: 0, changed: 0, expired: 0, errors: 0 };
    const started = Date.now();
    /** The pass's clock: `now` moved on by the real time spent, so each claim's lease starts when it is taken. */
    const clock = () => new Date(now.getTime() + (Date.now() - started));
    const seen = new Set<string>();
    // One order per claim, just before its check, leased for longer than a check can take: another
    // instance never takes an order this one is still asking DOKU about.
    for (let i = 0; i < (this.deps.batchSize ?? 50); i++) {
      const claimedAt = clock();
      const leaseUntil = new Date(claimedAt.getTime() + (this.deps.checkLeaseMs ?? 0));
      let order: Order | undefined;
      try {
        [order] = await this.deps.store.claimDueForCheck({
          now: claimedAt,
          minAgeMs: this.deps.minAgeMs ?? 60_000,
          intervalMs: this.deps.intervalMs,
          limit: 1,
          leaseMs: this.deps.checkLeaseMs,
        });
      } catch (err) {
        this.deps.log.warn({ reason: (err as Error).message }, 'reconciliation could not read the store');
        result.errors++;
        break;
      }
      if (!order) break;
      const invoice = order.invoiceNumber;
      const release = (at: Date) => this.deps.store.releaseCheck(invoice, at, leaseUntil).catch(() => undefined);
      // Due again within this pass (a short interval): the next pass's work; count it as checked now.
      if (seen.has(order.invoiceNumber)) {
        await release(claimedAt);
        break;
      }
      seen.add(order.invoiceNumber);
      try {
        const r = await this.check(order, now);
        result.checked++;
        if (r === 'changed') result.changed++;
        if (r === 'expired') result.expired++;
      } catch (err) {
        result.errors++;
        const reason = err instanceof GatewayError ? `${err.kind}: ${err.message}` : (err as Error).message;
        this.deps.log.warn(
          { invoice: order.invoiceNumber, reason },
          'check status failed; will ask again next interval',
        );
      }
      // The lease only had to outlast the check: the next one is due an interval after it ended.
      await release(clock());
    }
    // Quiet when nothing moved: with the simulator a pending order is asked about every 2 s.
    if (result.changed + result.expired + result.errors > 0) this.deps.log.info(result, 'reconciliation pass');
    else if (result.checked > 0) this.deps.log.debug(result, 'reconciliation pass');
    return result;
  }

  private async check(order: Order, now: Date): Promise<'changed' | 'expired' | 'unchanged'> {
    const answer = await this.deps.doku.checkStatus(order.invoiceNumber, newRequestId());
    if (answer.found) {
      const outcome = await applyReport(this.deps, {
        invoiceNumber: order.invoiceNumber,
        report: { status: answer.status, amount: answer.amount },
        source: 'check_status',
        now,
      });
      if (outcome.kind === 'applied' && outcome.verdict.kind === 'transition') return 'changed';
      // TIMEOUT means DOKU could not tell yet: ask again next interval, never expire on it. SUCCESS
      // that was not applied (a different amount: flagged for review) is money taken: never expire it.
      if (answer.status === 'TIMEOUT' || answer.status === 'SUCCESS') return 'unchanged';
    }
    // Still undecided (or unknown to DOKU) after it was asked once more past its expiry: EXPIRED.
    if (now.getTime() >= order.expiresAt.getTime()) {
      const outcome = await applyReport(this.deps, {
        invoiceNumber: order.invoiceNumber,
        report: { status: 'EXPIRED' },
        source: 'expiry',
        now,
      });
      if (outcome.kind === 'applied' && outcome.verdict.kind === 'transition') return 'expired';
    }
    return 'unchanged';
  }
}
