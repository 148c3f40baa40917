// Status changes reach open SSE streams through a bus. The store announces every change it commits
// (PostgreSQL: pg_notify inside the committing transaction; SQLite: right after its synchronous
// commit); a bus only delivers them to this process's subscribers. In one process it is this
// in-memory emitter; with PostgreSQL it is a LISTEN connection in front of one (events/pg-bus.ts).
import { EventEmitter } from 'node:events';
import type { Logger } from '../log.ts';
import type { StatusChange } from '../orders/order.ts';

export interface EventBus {
  /** Listen for one invoice's changes; returns the unsubscribe function. */
  subscribe(invoiceNumber: string, listener: (change: StatusChange) => void): () => void;
  close(): Promise<void>;
}

/** Single-process bus; also the local half of the PostgreSQL one. */
export class MemoryBus implements EventBus {
  private readonly emitter = new EventEmitter();
  constructor(private readonly log?: Logger) {
    // One listener per open stream; a busy shop can have many, and that is not a leak.
    this.emitter.setMaxListeners(0);
  }
  /** Hand a committed change to this process's subscribers; never throws back at the committer. */
  deliver(change: StatusChange): void {
    this.emitter.emit(change.invoiceNumber, change);
  }
  subscribe(invoiceNumber: string, listener: (change: StatusChange) => void): () => void {
    // One subscriber's failure must neither reach the code that committed the change nor stop the others.
    const guarded = (change: StatusChange) => {
      try {
        listener(change);
      } catch (err) {
        this.log?.warn({ invoice: invoiceNumber, reason: (err as Error).message }, 'status subscriber failed');
      }
    };
    this.emitter.on(invoiceNumber, guarded);
    return () => this.emitter.off(invoiceNumber, guarded);
  }
  listenerCount(invoiceNumber?: string): number {
    return invoiceNumber === undefined
      ? this.emitter.eventNames().reduce((n, e) => n + this.emitter.listenerCount(e), 0)
      : this.emitter.listenerCount(invoiceNumber);
  }
  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
