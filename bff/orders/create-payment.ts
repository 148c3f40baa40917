// Create a LinkAja payment: price on the server, store the order BEFORE calling DOKU (so an order
// DOKU accepted is never missing, even if the process dies), call DOKU, keep its redirect.
import type { CreatePaymentRequest, CreatePaymentResponse } from '../../shared/api.ts';
import { notificationUrl, type Config } from '../config.ts';
import { GatewayError, type DokuClient } from '../doku/client.ts';
import { LinkAjaPaymentRequest } from '../doku/schemas.ts';
import { ApiError, invalidRequest } from '../http/errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import { hashStatusToken, newInvoiceNumber, newRequestId, newStatusToken } from './ids.ts';
import { priceRequest, type OrderSources } from './sources.ts';

export interface CreatePaymentDeps {
  config: Config;
  store: Store;
  doku: DokuClient;
  sources: OrderSources;
  log: Logger;
}

/** The URL the customer's browser returns to: the requested one if its origin is allowed. */
export function resolveReturnUrl(config: Config, requested: string | undefined, origin: string | undefined): string {
  if (requested !== undefined) {
    const url = new URL(requested);
    if (!config.allowedOrigins.includes(url.origin)) {
      throw new ApiError(
        400,
        'return_url_not_allowed',
        `return_url must be on an allowed origin (${url.origin} is not in ALLOWED_ORIGINS).`,
      );
    }
    return url.href;
  }
  return origin && config.allowedOrigins.includes(origin) ? `${origin}/` : `${config.publicUrl}/`;
}

function dokuCustomer(c: CreatePaymentRequest['customer']): LinkAjaPaymentRequest['customer'] {
  if (!c || (!c.name && !c.email && !c.phone)) return undefined;
  return { name: c.name, email: c.email, phone: c.phone };
}

export async function createPayment(
  deps: CreatePaymentDeps,
  req: CreatePaymentRequest,
  ctx: { origin?: string; now?: Date; /** The HTTP request's logger (carries its reqId). */ log?: Logger },
): Promise<CreatePaymentResponse> {
  const { config, store, doku } = deps;
  const log = ctx.log ?? deps.log;
  const now = ctx.now ?? new Date();
  const returnUrl = resolveReturnUrl(config, req.return_url, ctx.origin);
  const priced = await priceRequest(req, deps.sources);

  const invoiceNumber = newInvoiceNumber(now);
  const requestId = newRequestId();
  const statusToken = newStatusToken();
  const expiresAt = new Date(now.getTime() + config.orderExpiryMs);
  const plog = log.child({ invoice: invoiceNumber, dokuRequestId: requestId });

  // Checked against DOKU's request shape before anything is stored: what DOKU would refuse is a 400
  // here, not a FAILED order and a 502.
  const dokuRequest: LinkAjaPaymentRequest = {
    order: {
      invoice_number: invoiceNumber,
      amount: priced.amount,
      callback_url: returnUrl,
      line_items: priced.lineItems,
    },
    customer: dokuCustomer(req.customer),
    additional_info: { override_notification_url: notificationUrl(config) },
  };
  const sendable = LinkAjaPaymentRequest.safeParse(dokuRequest);
  if (!sendable.success) throw invalidRequest(sendable.error, 'order for DOKU');

  try {
    await store.insertOrder({
      invoiceNumber,
      amount: priced.amount,
      statusTokenHash: hashStatusToken(statusToken),
      requestId,
      lineItems: priced.lineItems,
      returnUrl,
      createdAt: now,
      expiresAt,
    });
  } catch (err) {
    plog.error({ reason: (err as Error).message }, 'could not store the order');
    throw new ApiError(
      503,
      'store_unavailable',
      'The payment could not be recorded; nothing was charged. Please try again.',
    );
  }

  let answer;
  try {
    answer = await doku.createLinkAjaPayment(dokuRequest, requestId);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    plog.warn({ kind: err.kind, httpStatus: err.httpStatus, reason: err.message }, 'DOKU create payment failed');
    if (err.kind === 'refused') await store.markRejected(invoiceNumber, new Date()).catch(() => undefined);
    // Otherwise DOKU may hold the payment: the order stays PENDING and reconciliation asks Check Status.
    if (err.kind === 'timeout')
      throw new ApiError(504, 'gateway_timeout', 'The payment provider did not answer in time. Please try again.');
    throw new ApiError(502, 'gateway_error', 'The payment provider could not create the payment. Please try again.');
  }

  const ep = answer.emoney_payment;
  const redirect = {
    method: ep.redirect_method_http.toUpperCase(),
    url: ep.redirect_url_http,
    parameters: ep.redirect_parameter.map(({ name, value }) => ({ name, value })),
  };
  // DOKU has the payment; if only this bookkeeping fails, the customer can still pay and
  // reconciliation settles the order, so the redirect is answered anyway.
  await store
    .markAccepted(invoiceNumber, redirect, new Date())
    .catch((err: Error) => plog.error({ reason: err.message }, 'could not record the redirect'));
  plog.info({ amount: priced.amount, lines: priced.lineItems.length }, 'payment created');
  return {
    invoice_number: invoiceNumber,
    amount: priced.amount,
    currency: 'IDR',
    status: 'PENDING',
    status_token: statusToken,
    expires_at: expiresAt.toISOString(),
    redirect,
  };
}
