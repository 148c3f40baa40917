// Status changes reach open SSE streams through this bus. In one process it is an in-memory
// emitter; with PostgreSQL it is LISTEN/NOTIFY, so every instance's streams hear every change.
import { EventEmitter } from 'node:events';
import type { PaymentStatus } from '../../shared/api.ts';

export interface StatusChange {
  invoiceNumber: string;
  status: PaymentStatus;
  amount: number;
  /** The order's version after the change (the SSE event id). */
  version: number;
  updatedAt: string;
}

/** The change to publish for an order as it now stands. */
export const statusChangeOf = (o: {
  invoiceNumber: string;
  status: PaymentStatus;
  amount: number;
  version: number;
  updatedAt: Date;
}): StatusChange => ({
  invoiceNumber: o.invoiceNumber,
  status: o.status,
  amount: o.amount,
  version: o.version,
  updatedAt: o.updatedAt.toISOString(),
});

export interface EventBus {
  /** Publish after the change is committed. */
  publish(change: StatusChange): Promise<void>;
  /** Listen for one invoice's changes; returns the unsubscribe function. */
  subscribe(invoiceNumber: string, listener: (change: StatusChange) => void): () => void;
  close(): Promise<void>;
}

/** Single-process bus. */
export class MemoryBus implements EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    // One listener per open stream; a busy shop can have many, and that is not a leak.
    this.emitter.setMaxListeners(0);
  }
  async publish(change: StatusChange): Promise<void> {
    this.emitter.emit(change.invoiceNumber, change);
  }
  /** Deliver a change received from elsewhere (the PostgreSQL listener) to local subscribers. */
  deliver(change: StatusChange): void {
    this.emitter.emit(change.invoiceNumber, change);
  }
  subscribe(invoiceNumber: string, listener: (change: StatusChange) => void): () => void {
    this.emitter.on(invoiceNumber, listener);
    return () => this.emitter.off(invoiceNumber, listener);
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
