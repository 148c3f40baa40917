// Group commit for the PostgreSQL store's reports (notifications, Check Status answers): the reports
// that arrive while a group is being written make up the next group, one transaction for all of them,
// in two pipelined writes (BEGIN with every report's inbox row and order lock; every report's writes
// with COMMIT). A transaction per report spent most of PostgreSQL's time on what a group shares: its
// BEGIN and COMMIT, a WAL flush per commit, a backend woken per statement. Alone, a report goes
// through exactly as before.
//
// A group holds one report per order (a later report of the same order waits for the next group, so
// it sees this one's result) and locks its orders in invoice order. If anything in a group fails
// (a row that cannot be stored, a deadlock with another writer, a lost connection), nothing of it was
// committed, and each of its reports is run again alone: the one that cannot be stored fails by itself.
import type pg from 'pg';
import type { Order } from '../orders/order.ts';
import { planReport, type ApplyInput, type ApplyOutcome, type Plan } from '../orders/plan.ts';
import { onConnection, together } from './postgres-pool.ts';
import { recordAndLock, type Locked } from './postgres-report.ts';

/** What the store does for a report, step by step. */
export interface ReportSteps {
  pool: pg.Pool;
  /** One report in a transaction of its own. */
  alone(input: ApplyInput): Promise<ApplyOutcome>;
  /** A move to SUCCESS of an order with a reference: its reference's lock, then its own, then a paid sibling. */
  lockWithReference(c: pg.PoolClient, invoiceNumber: string): Promise<{ order: Order | null; sibling: string | null }>;
  /** What a plan writes, inside the caller's transaction. */
  write(c: pg.PoolClient, plan: Plan<ApplyOutcome>): Promise<void>;
}

interface Pending {
  input: ApplyInput;
  resolve: (outcome: ApplyOutcome) => void;
  reject: (err: unknown) => void;
}

/** Reports in one transaction at most (its row locks are held until it commits). */
const MAX_GROUP = 64;

export class ReportGroups {
  private queue: Pending[] = [];
  private writing = false;

  constructor(private readonly steps: ReportSteps) {}

  /** Apply `input` in the next group; resolves once that group has committed. */
  apply(input: ApplyInput): Promise<ApplyOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    void this.write(this.take()).finally(() => {
      this.writing = false;
      this.next();
    });
  }

  /** The next group: queued reports in arrival order, one per order, sorted by invoice number. */
  private take(): Pending[] {
    const group: Pending[] = [];
    const rest: Pending[] = [];
    const orders = new Set<string>();
    for (const p of this.queue) {
      if (group.length < MAX_GROUP && !orders.has(p.input.invoiceNumber)) {
        orders.add(p.input.invoiceNumber);
        group.push(p);
      } else rest.push(p);
    }
    this.queue = rest;
    return group.sort((a, b) => (a.input.invoiceNumber < b.input.invoiceNumber ? -1 : 1));
  }

  private async write(group: Pending[]): Promise<void> {
    if (group.length === 1) return this.alone(group[0]);
    let outcomes: ApplyOutcome[];
    try {
      outcomes = await onConnection(this.steps.pool, (c) => this.inOneTransaction(c, group));
    } catch {
      await Promise.all(group.map((p) => this.alone(p)));
      return;
    }
    group.forEach((p, i) => p.resolve(outcomes[i]));
  }

  private alone(p: Pending): Promise<void> {
    return this.steps.alone(p.input).then(p.resolve, p.reject);
  }

  private async inOneTransaction(c: pg.PoolClient, group: Pending[]): Promise<ApplyOutcome[]> {
    const { steps } = this;
    const [, ...locked] = (await together(c, () => [
      c.query('BEGIN'),
      ...group.map((p) => recordAndLock(c, p.input)),
    ])) as [unknown, ...Locked[]];
    const plans: Plan<ApplyOutcome>[] = [];
    const atCommit: Plan<ApplyOutcome>[] = [];
    for (const [i, { input }] of group.entries()) {
      const { inboxSeen, order, known } = locked[i];
      if (!inboxSeen && !order && known) {
        // Written at once: a later order of the same reference in this group must see it paid.
        const held = await steps.lockWithReference(c, input.invoiceNumber);
        const plan = planReport(held.order, input, inboxSeen, held.sibling);
        await steps.write(c, plan);
        plans.push(plan);
      } else {
        const plan = planReport(order, input, inboxSeen, null);
        atCommit.push(plan);
        plans.push(plan);
      }
    }
    await together(c, () => [...atCommit.map((plan) => steps.write(c, plan)), c.query('COMMIT')]);
    return plans.map((plan) => plan.outcome);
  }
}
