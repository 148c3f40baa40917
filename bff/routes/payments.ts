// Widget-facing payment routes: create (or hand out again) and follow status (server-sent events); the
// status read is a direct route of its own (status.ts).
import { Router, type Request, type Response } from 'express';
import { CreatePaymentRequest, IDEMPOTENCY_KEY_HEADER, IdempotencyKey } from '../../shared/api.ts';
import type { EventBus } from '../events/bus.ts';
import { StreamHub, type StreamRefusal } from '../events/stream-hub.ts';
import { bearerToken } from '../http/bearer.ts';
import type { ClientAddress } from '../http/client-address.ts';
import { ApiError, invalidRequest } from '../http/errors.ts';
import type { BffMetrics } from '../metrics/metrics.ts';
import { statusChangeOf } from '../orders/order.ts';
import { createPayment, type CreatePaymentDeps } from '../payments/create-payment.ts';
import { authorised } from './status.ts';

export interface PaymentRoutesDeps extends CreatePaymentDeps {
  bus: EventBus;
  metrics?: Pick<BffMetrics, 'paymentCreated' | 'countStreams'>;
  /** Heartbeat comment interval on event streams. */
  heartbeatMs?: number;
  /** A stream is closed after this long even if nothing happened (the client reconnects). */
  maxStreamMs?: number;
  /** Whose stream it is, for the cap per address. */
  clientAddress: ClientAddress;
  /** Open streams per client address, and in all (default: the configuration's). */
  maxStreamsPerIp?: number;
  maxStreams?: number;
}

/** EventSource cannot send headers: the event stream also takes `?token=` (access logs drop queries). */
const streamToken = (req: Request): string | undefined =>
  typeof req.query.token === 'string' ? req.query.token : bearerToken(req);

function idempotencyKeyOf(req: Request): string | undefined {
  const raw = req.get(IDEMPOTENCY_KEY_HEADER);
  if (raw === undefined) return undefined;
  const parsed = IdempotencyKey.safeParse(raw);
  if (!parsed.success) {
    const message = parsed.error.issues[0].message;
    throw new ApiError(400, 'invalid_request', `Invalid ${IDEMPOTENCY_KEY_HEADER} header: ${message}.`, [
      { path: IDEMPOTENCY_KEY_HEADER, message },
    ]);
  }
  return parsed.data;
}

/**
 * Node keeps a request until its response ends, and an event stream's lasts up to 30 minutes. What
 * Express's routing hung on it (the routers' next() chain and its closures, params, the matched
 * route, the parsed URL: about 3 KB a stream, measured) is read by nothing once the handler is done.
 */
function releaseRouting(req: Request): void {
  const routing = req as unknown as Record<'next' | 'params' | 'route' | '_parsedUrl', unknown>;
  routing.next = routing.params = routing.route = routing._parsedUrl = undefined;
}

/** A refused stream: EventSource cannot read why, so the element falls back to polling the JSON route. */
function streamRefused(why: StreamRefusal, res: Response): ApiError {
  if (why === 'address') return new ApiError(429, 'rate_limited', 'Too many open status streams from this address.');
  res.set('Retry-After', '30');
  return new ApiError(503, 'server_busy', 'Too many open status streams; read the status instead, or try again later.');
}

export function paymentsRouter(deps: PaymentRoutesDeps): Router {
  const router = Router();
  const streams = new StreamHub(deps.bus, {
    heartbeatMs: deps.heartbeatMs ?? 15_000,
    maxStreamMs: deps.maxStreamMs ?? 30 * 60_000,
    perAddress: deps.maxStreamsPerIp ?? deps.config.maxStreamsPerIp,
    total: deps.maxStreams ?? deps.config.maxStreams,
  });
  deps.metrics?.countStreams(() => streams.size);

  const orderWithTokens = (invoice: string) => deps.store.getOrderWithTokens(invoice);

  router.post('/payments', async (req, res) => {
    const parsed = CreatePaymentRequest.safeParse(req.body);
    if (!parsed.success) throw invalidRequest(parsed.error);
    const idempotencyKey = idempotencyKeyOf(req);
    const log = deps.log.child({ reqId: res.locals.requestId as string });
    const { created, payment } = await createPayment(deps, parsed.data, {
      origin: req.get('origin'),
      idempotencyKey,
      httpRequest: req,
      log,
    });
    if (created) deps.metrics?.paymentCreated();
    res
      .set('Cache-Control', 'no-store')
      .status(created ? 201 : 200)
      .json(payment);
  });

  router.get('/payments/:invoice/events', async (req, res) => {
    const address = deps.clientAddress(req);
    // Refused before the order is read, so a client over its cap costs nothing (a reconnect that would
    // end an older stream of the same order is let through: the hub decides once the token checks out).
    const early = streams.refusal(address, String(req.params.invoice));
    if (early) throw streamRefused(early, res);
    const order = await authorised(String(req.params.invoice), streamToken(req), orderWithTokens);
    // A client that left during that read has already fired 'close': holding anything now would leak.
    if (res.closed || req.destroyed) return;
    const lastSeen = Number(req.get('last-event-id') ?? NaN);
    const stream = streams.open(res, order, address, Number.isFinite(lastSeen) ? lastSeen : -1);
    if (typeof stream === 'string') throw streamRefused(stream, res);
    // Re-read after subscribing, so a change between the first read and the subscription is not lost.
    // Comments only after that: every committed change reaches the bus, and a reconnected listener
    // re-reads open streams' orders, so a stream needs no polling of its own.
    const current = (await deps.store.getOrder(order.invoiceNumber).catch(() => null)) ?? order;
    streams.send(stream, statusChangeOf(current));
    releaseRouting(req);
  });

  return router;
}
