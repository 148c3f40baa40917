// Widget-facing payment routes: create (or hand out again), read status, follow status (server-sent events).
import { Router, type Request } from 'express';
import {
  CreatePaymentRequest,
  IDEMPOTENCY_KEY_HEADER,
  IdempotencyKey,
  isFinalStatus,
  STATUS_EVENT,
  type PaymentStatusResponse,
} from '../../shared/api.ts';
import type { EventBus } from '../events/bus.ts';
import { bearerToken } from '../http/bearer.ts';
import { ApiError, invalidRequest } from '../http/errors.ts';
import type { BffMetrics } from '../metrics/metrics.ts';
import { statusChangeOf, type Order, type StatusChange } from '../orders/order.ts';
import { matchReadToken } from '../orders/read-tokens.ts';
import { createPayment, type CreatePaymentDeps } from '../payments/create-payment.ts';
import { storeFailure } from '../store/errors.ts';

export interface PaymentRoutesDeps extends CreatePaymentDeps {
  bus: EventBus;
  metrics?: Pick<BffMetrics, 'paymentCreated' | 'streamOpened' | 'streamClosed'>;
  /** Heartbeat comment interval on event streams. */
  heartbeatMs?: number;
  /** A stream is closed after this long even if nothing happened (the client reconnects). */
  maxStreamMs?: number;
}

/** The status answer and each event's data; the reference never changes, so the order read at the start gives it. */
const toStatus = (s: StatusChange, reference: string | null): PaymentStatusResponse => ({
  invoice_number: s.invoiceNumber,
  amount: s.amount,
  status: s.status,
  updated_at: s.updatedAt,
  reference,
});

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

const NOT_FOUND = () => new ApiError(404, 'not_found', 'No payment with that invoice number and status token.');

export function paymentsRouter(deps: PaymentRoutesDeps): Router {
  const router = Router();
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const maxStreamMs = deps.maxStreamMs ?? 30 * 60_000;

  /**
   * The order, if the token is one of its read tokens (status token or unexpired return ticket); a
   * wrong token and an unknown invoice answer alike.
   */
  async function authorisedOrder(req: Request, token: string | undefined): Promise<Order> {
    const invoice = String(req.params.invoice);
    if (!token || invoice.length > 64) throw NOT_FOUND();
    const found = await deps.store
      .getOrderWithTokens(invoice)
      .catch(storeFailure('Payment status is temporarily unavailable.'));
    // Unknown invoices are compared against a dummy too, so timing does not tell them apart.
    const match = matchReadToken(token, found?.tokens ?? [], new Date());
    if (!found || !match) throw NOT_FOUND();
    return found.order;
  }

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

  router.get('/payments/:invoice', async (req, res) => {
    const order = await authorisedOrder(req, bearerToken(req));
    res.set('Cache-Control', 'no-store').json(toStatus(statusChangeOf(order), order.reference));
  });

  router.get('/payments/:invoice/events', async (req, res) => {
    const order = await authorisedOrder(req, streamToken(req));
    // A client that left during that read has already fired 'close': holding anything now would leak.
    if (res.closed || req.destroyed) return;
    const lastSeen = Number(req.get('last-event-id') ?? NaN);
    let sent = Number.isFinite(lastSeen) ? lastSeen : -1;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 3000\n\n');

    let closed = false;
    const timers: NodeJS.Timeout[] = [];
    let unsubscribe = (): void => undefined;
    deps.metrics?.streamOpened();
    const close = () => {
      if (closed) return;
      closed = true;
      deps.metrics?.streamClosed();
      unsubscribe();
      timers.forEach(clearInterval);
      res.end();
    };
    const send = (s: StatusChange) => {
      if (closed || s.version <= sent) return;
      sent = s.version;
      res.write(`id: ${s.version}\nevent: ${STATUS_EVENT}\ndata: ${JSON.stringify(toStatus(s, order.reference))}\n\n`);
      if (isFinalStatus(s.status)) close();
    };

    unsubscribe = deps.bus.subscribe(order.invoiceNumber, send);
    req.on('close', close);
    // Comments only: every committed change reaches the bus (announced with its commit), and a
    // reconnected listener re-reads open streams' orders, so the stream needs no polling of its own.
    timers.push(setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs));
    timers.push(setTimeout(close, maxStreamMs));
    // Re-read after subscribing, so a change between the first read and the subscription is not lost.
    const current = (await deps.store.getOrder(order.invoiceNumber).catch(() => null)) ?? order;
    if (current.version > sent) send(statusChangeOf(current));
    else if (isFinalStatus(current.status)) close();
  });

  return router;
}
