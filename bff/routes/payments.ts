// Widget-facing payment routes: create, read status, follow status (server-sent events).
import { Router, type Request } from 'express';
import { CreatePaymentRequest, isFinalStatus, STATUS_EVENT, type PaymentStatusResponse } from '../../shared/api.ts';
import type { EventBus } from '../events/bus.ts';
import { ApiError, invalidRequest } from '../http/errors.ts';
import { statusTokenMatches } from '../orders/ids.ts';
import { statusChangeOf, type Order, type StatusChange } from '../orders/order.ts';
import { createPayment, type CreatePaymentDeps } from '../payments/create-payment.ts';
import { storeFailure } from '../store/errors.ts';

export interface PaymentRoutesDeps extends CreatePaymentDeps {
  bus: EventBus;
  /** Heartbeat comment interval on event streams. */
  heartbeatMs?: number;
  /** A stream is closed after this long even if nothing happened (the client reconnects). */
  maxStreamMs?: number;
}

const toStatus = (o: Pick<Order, 'invoiceNumber' | 'amount' | 'status' | 'updatedAt'>): PaymentStatusResponse => ({
  invoice_number: o.invoiceNumber,
  amount: o.amount,
  status: o.status,
  updated_at: o.updatedAt.toISOString(),
});

/**
 * The status token: `Authorization: Bearer`, or `?token=` on the events route alone (EventSource
 * cannot send headers). Anywhere else a query would carry it into proxy logs, history and Referers.
 */
function presentedToken(req: Request, queryAllowed: boolean): string | undefined {
  const auth = req.get('authorization');
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return queryAllowed && typeof req.query.token === 'string' ? req.query.token : undefined;
}

const NOT_FOUND = () => new ApiError(404, 'not_found', 'No payment with that invoice number and status token.');

export function paymentsRouter(deps: PaymentRoutesDeps): Router {
  const router = Router();
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const maxStreamMs = deps.maxStreamMs ?? 30 * 60_000;

  /** The order, if the token matches; a wrong token and an unknown invoice answer alike. */
  async function authorisedOrder(req: Request, tokenIn: 'header' | 'header or query'): Promise<Order> {
    const token = presentedToken(req, tokenIn === 'header or query');
    const invoice = String(req.params.invoice);
    if (!token || invoice.length > 64) throw NOT_FOUND();
    const order = await deps.store.getOrder(invoice).catch(storeFailure('Payment status is temporarily unavailable.'));
    // Compare against a dummy hash for unknown invoices too, so timing does not tell them apart.
    const ok = statusTokenMatches(token, order?.statusTokenHash ?? '0'.repeat(64));
    if (!order || !ok) throw NOT_FOUND();
    return order;
  }

  router.post('/payments', async (req, res) => {
    const parsed = CreatePaymentRequest.safeParse(req.body);
    if (!parsed.success) throw invalidRequest(parsed.error);
    const log = deps.log.child({ reqId: res.locals.requestId as string });
    const created = await createPayment(deps, parsed.data, { origin: req.get('origin'), log });
    res.set('Cache-Control', 'no-store').status(201).json(created);
  });

  router.get('/payments/:invoice', async (req, res) => {
    const order = await authorisedOrder(req, 'header');
    res.set('Cache-Control', 'no-store').json(toStatus(order));
  });

  router.get('/payments/:invoice/events', async (req, res) => {
    const order = await authorisedOrder(req, 'header or query');
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
    const close = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      timers.forEach(clearInterval);
      res.end();
    };
    const send = (s: StatusChange) => {
      if (closed || s.version <= sent) return;
      sent = s.version;
      const data: PaymentStatusResponse = {
        invoice_number: s.invoiceNumber,
        amount: s.amount,
        status: s.status,
        updated_at: s.updatedAt,
      };
      res.write(`id: ${s.version}\nevent: ${STATUS_EVENT}\ndata: ${JSON.stringify(data)}\n\n`);
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
