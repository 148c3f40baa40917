// The widget's create-payment route: create, or hand out the same payment again. Reading and following
// a payment's status are direct routes of their own (status.ts, status-stream.ts).
import { Router, type Request } from 'express';
import { CreatePaymentRequest, IDEMPOTENCY_KEY_HEADER, IdempotencyKey } from '../../shared/api.ts';
import { ApiError, invalidRequest } from '../http/errors.ts';
import { sendNoStoreJson } from '../http/no-store-json.ts';
import type { BffMetrics } from '../metrics/metrics.ts';
import { createPayment, type CreatePaymentDeps } from '../payments/create-payment.ts';

export interface PaymentRoutesDeps extends CreatePaymentDeps {
  metrics?: Pick<BffMetrics, 'paymentCreated'>;
}

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

export function paymentsRouter(deps: PaymentRoutesDeps): Router {
  const router = Router();
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
    sendNoStoreJson(res, payment, created ? 201 : 200);
  });

  return router;
}
