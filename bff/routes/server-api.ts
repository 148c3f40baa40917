// The server API for the merchant's backend (/api/v1): whole orders, their history, Check Status on
// demand, webhook deliveries and resends. Server to server: Bearer MERCHANT_API_KEY, no CORS, no
// Origin. Mounted only when the key is configured. Thin: validate, call operations/, answer.
import { Router, type Request } from 'express';
import type { z } from 'zod';
import { PaymentListQuery, WebhookDeliveryQuery } from '../../shared/server-api.ts';
import { requireBearer } from '../http/bearer.ts';
import { ApiError, invalidRequest, publicError } from '../http/errors.ts';
import type { Logger } from '../log.ts';
import {
  checkPayment,
  listDeliveries,
  listPayments,
  resendDelivery,
  showPayment,
  type OperationsDeps,
} from '../operations/operations.ts';
import { storeFailure } from '../store/errors.ts';

export interface ServerApiDeps extends OperationsDeps {
  apiKey: string;
  log: Logger;
}

function query<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) throw invalidRequest(parsed.error, 'query');
  return parsed.data;
}

const invoiceOf = (req: Request): string => {
  const invoice = String(req.params.invoice);
  if (invoice.length > 64) throw new ApiError(404, 'not_found', `No payment ${invoice.slice(0, 64)}….`);
  return invoice;
};

const unavailable = storeFailure('The order store is temporarily unavailable.');

export function serverApiRouter(deps: ServerApiDeps): Router {
  const router = Router();
  router.use(requireBearer(deps.apiKey, 'MERCHANT_API_KEY', deps.log), (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/payments', async (req, res) => {
    res.json(await listPayments(deps, query(PaymentListQuery, req)).catch(rethrowUnlessStore));
  });
  router.get('/payments/:invoice', async (req, res) => {
    res.json(await showPayment(deps, invoiceOf(req)).catch(rethrowUnlessStore));
  });
  router.post('/payments/:invoice/check', async (req, res) => {
    const { payment, dokuStatus, outcome } = await checkPayment(deps, invoiceOf(req)).catch(rethrowUnlessStore);
    res.json({ ...payment, check: { doku_status: dokuStatus, outcome } });
  });
  router.get('/webhook-deliveries', async (req, res) => {
    res.json(await listDeliveries(deps, query(WebhookDeliveryQuery, req)).catch(rethrowUnlessStore));
  });
  router.post('/webhook-deliveries/:id/resend', async (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1) throw new ApiError(404, 'not_found', 'No such webhook delivery.');
    res.status(202).json(await resendDelivery(deps, id).catch(rethrowUnlessStore));
  });
  return router;
}

/** The domain's and DOKU's errors keep their meaning; anything else from below is the store failing. */
function rethrowUnlessStore(err: unknown): never {
  if (publicError(err)) throw err;
  return unavailable(err);
}
