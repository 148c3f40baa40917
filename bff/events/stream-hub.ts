// Open status streams (server-sent events), held lean so that one client cannot exhaust the server:
// one shared timer beats every stream's heartbeat and ends those past their maximum age; one bus
// subscription per order with open streams fans its changes out; at most 3 streams per status token
// (an order's: a fourth ends the oldest, so a phone that reconnects never locks itself out), a cap
// per client address and one in all. A stream holds its response and a few numbers, nothing of its
// request.
import type { ServerResponse } from 'node:http';
import { isFinalStatus, STATUS_EVENT, type PaymentStatusResponse } from '../../shared/api.ts';
import type { StatusChange } from '../orders/order.ts';
import type { EventBus } from './bus.ts';

/** Open streams per status token (one per order): a new one beyond this ends the oldest. */
export const STREAMS_PER_TOKEN = 3;

export interface StreamLimits {
  /** How often each stream gets a heartbeat comment (proxies drop silent connections). */
  heartbeatMs: number;
  /** A stream is ended after this long (the client reconnects); checked at each heartbeat. */
  maxStreamMs: number;
  /** Open streams per client address (MAX_STREAMS_PER_IP). */
  perAddress: number;
  /** Open streams in all (MAX_STREAMS; 0: none). */
  total: number;
}

/** Why a stream is refused: too many from this address, or as many as the server holds. */
export type StreamRefusal = 'address' | 'full';

export class Stream {
  constructor(
    readonly res: ServerResponse,
    readonly invoice: string,
    /** The merchant's reference, part of every event's data (it never changes). */
    readonly reference: string | null,
    readonly address: string,
    /** The newest version this client has (Last-Event-ID on a reconnect). */
    public sent: number,
    readonly openedAt: number,
  ) {}
}

interface OrderStreams {
  /** In the order they were opened: the first is the oldest. */
  streams: Set<Stream>;
  unsubscribe: () => void;
}

/**
 * Node keeps what a response sent for its whole life: the header block, built as a rope of some 80
 * pieces, and every header set before writeHead in an object for getHeader() (2.7 KB and 1.9 KB a
 * stream, in heap snapshots). Reading one character makes V8 flatten the block in place; the object
 * is let go (nothing reads a sent response's headers). Where Node names it differently, it is kept.
 */
function keepOnlyTheSentHead(res: ServerResponse): void {
  const header: unknown = (res as { _header?: unknown })._header;
  if (typeof header === 'string') header.charCodeAt(0);
  const outHeaders = Object.getOwnPropertySymbols(res).find((s) => s.description === 'kOutHeaders');
  if (outHeaders) (res as unknown as Record<symbol, unknown>)[outHeaders] = null;
}

/** Each open stream by its response, for the one 'close' listener they all share (no closure each). */
const streamOf = new WeakMap<ServerResponse, { hub: StreamHub; stream: Stream }>();
function streamClosed(this: ServerResponse): void {
  const open = streamOf.get(this);
  open?.hub.forget(open.stream);
}

export class StreamHub {
  private readonly orders = new Map<string, OrderStreams>();
  private readonly perAddress = new Map<string, number>();
  private count = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly bus: EventBus,
    private readonly limits: StreamLimits,
  ) {}

  /** Open streams now. */
  get size(): number {
    return this.count;
  }

  /**
   * Why a stream for `invoice` from `address` would be refused now, if it would: checked before the
   * order is read (so a refusal costs nothing) and again when the stream opens. One that would end an
   * older stream of the same token does not count that one.
   */
  refusal(address: string, invoice?: string): StreamRefusal | undefined {
    const evicted = invoice === undefined ? undefined : this.oldestIfFull(invoice);
    if (this.count - (evicted ? 1 : 0) >= this.limits.total) return 'full';
    const fromAddress = (this.perAddress.get(address) ?? 0) - (evicted?.address === address ? 1 : 0);
    if (fromAddress >= this.limits.perAddress) return 'address';
    return undefined;
  }

  /** Answer `res` with an event stream for the order, or say why not (nothing written then). */
  open(
    res: ServerResponse,
    payment: { invoiceNumber: string; reference: string | null },
    address: string,
    lastSeen: number,
  ): Stream | StreamRefusal {
    const invoice = payment.invoiceNumber;
    const refused = this.refusal(address, invoice);
    if (refused) return refused;
    const evicted = this.oldestIfFull(invoice);
    if (evicted) this.close(evicted);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    keepOnlyTheSentHead(res);
    const stream = new Stream(res, invoice, payment.reference, address, lastSeen, Date.now());
    let order = this.orders.get(invoice);
    if (!order) {
      order = { streams: new Set(), unsubscribe: this.bus.subscribe(invoice, (change) => this.deliver(change)) };
      this.orders.set(invoice, order);
    }
    order.streams.add(stream);
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    this.count++;
    streamOf.set(res, { hub: this, stream });
    res.on('close', streamClosed);
    this.timer ??= setInterval(() => this.beat(), Math.min(this.limits.heartbeatMs, this.limits.maxStreamMs));
    return stream;
  }

  /** Send a status the client does not have yet; a final one ends the stream. */
  send(stream: Stream, change: StatusChange): void {
    if (stream.res.writableEnded) return;
    if (change.version > stream.sent) {
      stream.sent = change.version;
      const data: PaymentStatusResponse = {
        invoice_number: change.invoiceNumber,
        amount: change.amount,
        status: change.status,
        updated_at: change.updatedAt,
        reference: stream.reference,
      };
      stream.res.write(`id: ${change.version}\nevent: ${STATUS_EVENT}\ndata: ${JSON.stringify(data)}\n\n`);
    }
    if (isFinalStatus(change.status)) this.close(stream);
  }

  private deliver(change: StatusChange): void {
    const order = this.orders.get(change.invoiceNumber);
    if (order) for (const stream of [...order.streams]) this.send(stream, change);
  }

  private oldestIfFull(invoice: string): Stream | undefined {
    const streams = this.orders.get(invoice)?.streams;
    return streams && streams.size >= STREAMS_PER_TOKEN ? streams.values().next().value : undefined;
  }

  private close(stream: Stream): void {
    this.forget(stream);
    stream.res.end();
  }

  /** Forget a stream (its client left, or it was ended); once only. */
  forget(stream: Stream): void {
    const order = this.orders.get(stream.invoice);
    if (!order?.streams.delete(stream)) return;
    if (order.streams.size === 0) {
      order.unsubscribe();
      this.orders.delete(stream.invoice);
    }
    const fromAddress = (this.perAddress.get(stream.address) ?? 1) - 1;
    if (fromAddress > 0) this.perAddress.set(stream.address, fromAddress);
    else this.perAddress.delete(stream.address);
    if (--this.count === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Every stream's heartbeat (skipped for a client not reading: its buffer must not grow); the old ones end. */
  private beat(): void {
    const endBefore = Date.now() - this.limits.maxStreamMs;
    for (const { streams } of [...this.orders.values()]) {
      for (const stream of [...streams]) {
        if (stream.openedAt <= endBefore) this.close(stream);
        else if (!stream.res.writableNeedDrain) stream.res.write(': heartbeat\n\n');
      }
    }
  }
}
