// GET /api/payments/:invoice/events: the order's status as server-sent events, held open by the
// stream hub. A direct route (answered ahead of Express's routing, bff/http/direct-routes.ts): an
// open stream keeps its request and response for up to 30 minutes, and what Express hangs on each
// held request was about 7 KB a stream, measured on a bare server (18.6 KB against 11.6 KB a stream).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamHub, type StreamRefusal } from '../events/stream-hub.ts';
import type { EventBus } from '../events/bus.ts';
import { bearerToken } from '../http/bearer.ts';
import type { ClientAddress } from '../http/client-address.ts';
import type { DirectRoute } from '../http/direct-routes.ts';
import { ApiError } from '../http/errors.ts';
import type { RateLimit } from '../http/rate-limit.ts';
import type { WidgetCors } from '../http/widget-cors.ts';
import type { BffMetrics } from '../metrics/metrics.ts';
import { statusChangeOf } from '../orders/order.ts';
import type { Store } from '../store/types.ts';
import { authorised } from './status.ts';

export interface StatusStreamDeps {
  store: Pick<Store, 'getOrderWithTokens' | 'getOrder'>;
  bus: EventBus;
  cors: WidgetCors;
  /** Shared with the status reads: one budget of reads per address. */
  readLimit: RateLimit;
  clientAddress: ClientAddress;
  metrics?: Pick<BffMetrics, 'countStreams'>;
  /** Heartbeat comment interval. */
  heartbeatMs: number;
  /** A stream is closed after this long even if nothing happened (the client reconnects). */
  maxStreamMs: number;
  /** Open streams per client address, and in all. */
  maxStreamsPerIp: number;
  maxStreams: number;
}

/** EventSource cannot send headers: the event stream also takes `?token=` (access logs drop queries). */
function streamToken(req: IncomingMessage): string | undefined {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const token = query === -1 ? null : new URLSearchParams(url.slice(query + 1)).get('token');
  return token ?? bearerToken(req);
}

/** A refused stream: EventSource cannot read why, so the element falls back to polling the JSON route. */
function streamRefused(why: StreamRefusal, res: ServerResponse): ApiError {
  if (why === 'address') return new ApiError(429, 'rate_limited', 'Too many open status streams from this address.');
  res.setHeader('Retry-After', '30');
  return new ApiError(503, 'server_busy', 'Too many open status streams; read the status instead, or try again later.');
}

export function statusStreamRoute(deps: StatusStreamDeps): DirectRoute {
  const { store, cors, readLimit } = deps;
  const streams = new StreamHub(deps.bus, {
    heartbeatMs: deps.heartbeatMs,
    maxStreamMs: deps.maxStreamMs,
    perAddress: deps.maxStreamsPerIp,
    total: deps.maxStreams,
  });
  deps.metrics?.countStreams(() => streams.size);
  const orderWithTokens = (invoice: string) => store.getOrderWithTokens(invoice);

  return {
    method: 'GET',
    path: '/api/payments/:invoice/events',
    async handle(req, res, invoice) {
      await cors.apply(req, res);
      await readLimit.take(req, res);
      const address = deps.clientAddress(req);
      // Refused before the order is read, so a client over its cap costs nothing (a reconnect that would
      // end an older stream of the same order is let through: the hub decides once the token checks out).
      const early = streams.refusal(address, invoice);
      if (early) throw streamRefused(early, res);
      const order = await authorised(invoice, streamToken(req), orderWithTokens);
      // A client that left during that read has already fired 'close': holding anything now would leak.
      if (res.closed || req.destroyed) return;
      const lastSeen = Number(req.headers['last-event-id'] ?? NaN);
      const stream = streams.open(res, order, address, Number.isFinite(lastSeen) ? lastSeen : -1);
      if (typeof stream === 'string') throw streamRefused(stream, res);
      // Re-read after subscribing, so a change between the first read and the subscription is not lost.
      // Comments only after that: every committed change reaches the bus, and a reconnected listener
      // re-reads open streams' orders, so a stream needs no polling of its own.
      const current = (await store.getOrder(order.invoiceNumber).catch(() => null)) ?? order;
      streams.send(stream, statusChangeOf(current));
    },
  };
}
