// GET /api/payments/:invoice, which every open page polls every few seconds: a direct route (answered
// ahead of Express's routing, bff/http/direct-routes.ts) that runs its CORS and read limit itself.
// Also who may read a payment at all, which its event stream asks too.
import type { PaymentStatusResponse } from '../../shared/api.ts';
import { bearerToken } from '../http/bearer.ts';
import type { DirectRoute } from '../http/direct-routes.ts';
import { ApiError } from '../http/errors.ts';
import { sendNoStoreJson } from '../http/no-store-json.ts';
import type { RateLimit } from '../http/rate-limit.ts';
import type { WidgetCors } from '../http/widget-cors.ts';
import { matchReadToken } from '../orders/read-tokens.ts';
import { storeFailure } from '../store/errors.ts';
import type { OrderStatusView, Store, WithTokens } from '../store/types.ts';

export interface StatusRouteDeps {
  store: Pick<Store, 'getStatusWithTokens'>;
  cors: WidgetCors;
  /** Shared with the event streams: one budget of reads per address. */
  readLimit: RateLimit;
}

const toStatus = (o: OrderStatusView): PaymentStatusResponse => ({
  invoice_number: o.invoiceNumber,
  amount: o.amount,
  status: o.status,
  updated_at: o.updatedAt.toISOString(),
  reference: o.reference,
});

const NOT_FOUND = () => new ApiError(404, 'not_found', 'No payment with that invoice number and status token.');

/**
 * The order (as `read` gives it), if `token` is one of its read tokens (status token or unexpired
 * return ticket); a wrong token and an unknown invoice answer alike.
 */
export async function authorised<O>(
  invoice: string,
  token: string | undefined,
  read: (invoice: string) => Promise<WithTokens<O> | null>,
): Promise<O> {
  if (!token || invoice.length > 64) throw NOT_FOUND();
  const found = await read(invoice).catch(storeFailure('Payment status is temporarily unavailable.'));
  // Unknown invoices are compared against a dummy too, so timing does not tell them apart.
  const match = matchReadToken(token, found?.tokens ?? [], new Date());
  if (!found || !match) throw NOT_FOUND();
  return found.order;
}

export function statusRoute({ store, cors, readLimit }: StatusRouteDeps): DirectRoute {
  const read = (invoice: string) => store.getStatusWithTokens(invoice);
  return {
    method: 'GET',
    path: '/api/payments/:invoice',
    routine: true,
    async handle(req, res, invoice) {
      await cors.apply(req, res);
      await readLimit.take(req, res);
      const order = await authorised(invoice, bearerToken(req), read);
      sendNoStoreJson(res, toStatus(order));
    },
  };
}
