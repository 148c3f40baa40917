// Create a LinkAja payment: price on the server, store the order BEFORE calling DOKU (so an order
// DOKU accepted is never missing, even if the process dies), call DOKU, keep its redirect.
// Raises OrderErrors (what is wrong with the order), GatewayErrors (DOKU failed) and StoreErrors.
import type { CreatePaymentRequest, CreatePaymentResponse } from '../../shared/api.ts';
import type { Config } from '../config.ts';
import { GatewayError, type DokuClient } from '../doku/client.ts';
import { LinkAjaPaymentRequest } from '../doku/schemas.ts';
import { describeIssues, issuesOf } from '../lib/issues.ts';
import type { Logger } from '../log.ts';
import { OrderError } from '../orders/errors.ts';
import { hashStatusToken, newInvoiceNumber, newRequestId, newStatusToken } from '../orders/ids.ts';
import { returnUrlFor } from '../orders/return-url.ts';
import { priceRequest, type OrderSources } from '../orders/sources.ts';
import { storeFailure } from '../store/errors.ts';
import type { Store } from '../store/types.ts';

export interface CreatePaymentDeps {
  config: Config;
  store: Store;
  doku: DokuClient;
  sources: OrderSources;
  log: Logger;
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
  const returnUrl = returnUrlFor(config, req.return_url, ctx.origin);
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
    additional_info: { override_notification_url: config.notificationUrl },
  };
  const sendable = LinkAjaPaymentRequest.safeParse(dokuRequest);
  if (!sendable.success) {
    const issues = issuesOf(sendable.error);
    throw new OrderError('invalid_order', describeIssues('order for DOKU', issues), issues);
  }

  await store
    .insertOrder({
      invoiceNumber,
      amount: priced.amount,
      statusTokenHash: hashStatusToken(statusToken),
      requestId,
      lineItems: priced.lineItems,
      returnUrl,
      createdAt: now,
      expiresAt,
    })
    .catch(storeFailure('The payment could not be recorded; nothing was charged. Please try again.'));

  let answer;
  try {
    answer = await doku.createLinkAjaPayment(dokuRequest, requestId);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    plog.warn({ kind: err.kind, httpStatus: err.httpStatus, reason: err.message }, 'DOKU create payment failed');
    if (err.kind === 'refused') await store.markRejected(invoiceNumber, new Date()).catch(() => undefined);
    // Otherwise DOKU may hold the payment: the order stays PENDING and reconciliation asks Check Status.
    throw err;
  }

  const ep = answer.emoney_payment;
  const redirect = {
    method: ep.redirect_method_http,
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
