// Create a LinkAja payment, or hand out the same one again: price on the server; in one store
// transaction find the payment the request's Idempotency-Key or the merchant's reference already has
// (orders/payment-keys.ts) or store the new order BEFORE calling DOKU (so an order DOKU accepted is
// never missing, even if the process dies); call DOKU; keep its redirect to hand out again.
// Raises OrderErrors (what is wrong with the order), GatewayErrors (DOKU failed) and StoreErrors.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Request } from 'express';
import type { CreatePaymentRequest, CreatePaymentResponse, Redirect } from '../../shared/api.ts';
import type { Config } from '../config.ts';
import { GatewayError, type DokuClient } from '../doku/client.ts';
import { LinkAjaPaymentRequest } from '../doku/schemas.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import { describeIssues, issuesOf } from '../lib/issues.ts';
import type { Logger } from '../log.ts';
import { OrderError } from '../orders/errors.ts';
import { newInvoiceNumber, newRequestId } from '../orders/ids.ts';
import type { NewOrder, Order } from '../orders/order.ts';
import { hashReadToken, newReadToken, RETURN_TICKET_TTL_MS } from '../orders/read-tokens.ts';
import { callbackUrlFor, returnUrlFor } from '../orders/return-url.ts';
import { priceRequest, type OrderSources } from '../orders/sources.ts';
import { storeFailure } from '../store/errors.ts';
import type { Store } from '../store/types.ts';

export interface CreatePaymentDeps {
  config: Config;
  store: Store;
  doku: DokuClient;
  sources: OrderSources;
  log: Logger;
  /** How long a request waits for the same payment that another request is creating (default 5 s). */
  inProgressWaitMs?: number;
}

export interface CreatePaymentContext {
  /** The calling page's origin (an allowed one): the default return URL, and the Idempotency-Key's scope. */
  origin?: string;
  /** The validated Idempotency-Key header. */
  idempotencyKey?: string;
  /** For a merchant's resolveOrder (it may read its session). */
  httpRequest: Request;
  now?: Date;
  /** The HTTP request's logger (carries its reqId). */
  log?: Logger;
}

/** `created` false: the same payment handed out again (HTTP 200 instead of 201). */
export interface PaymentAnswer {
  created: boolean;
  payment: CreatePaymentResponse;
}

const NOT_RECORDED = 'The payment could not be recorded; nothing was charged. Please try again.';
const POLL_MS = 100;

function dokuCustomer(c: CreatePaymentRequest['customer']): LinkAjaPaymentRequest['customer'] {
  if (!c || (!c.name && !c.email && !c.phone)) return undefined;
  return { name: c.name, email: c.email, phone: c.phone };
}

const answer = (order: Order, redirect: Redirect, statusToken: string): CreatePaymentResponse => ({
  invoice_number: order.invoiceNumber,
  amount: order.amount,
  currency: 'IDR',
  status: order.status,
  status_token: statusToken,
  expires_at: order.expiresAt.toISOString(),
  redirect,
});

/** DOKU's refusal may quote the request: its callback_url's return ticket must reach no log or answer. */
const withoutTicket = (err: GatewayError, ticket: string): GatewayError =>
  err.message.includes(ticket)
    ? new GatewayError(err.kind, err.message.replaceAll(ticket, '[redacted]'), err.httpStatus, err.dokuCode)
    : err;

export async function createPayment(
  deps: CreatePaymentDeps,
  req: CreatePaymentRequest,
  ctx: CreatePaymentContext,
): Promise<PaymentAnswer> {
  const { config, store } = deps;
  const log = ctx.log ?? deps.log;
  const now = ctx.now ?? new Date();
  const returnUrl = returnUrlFor(config, req.return_url, ctx.origin);
  const draft = await priceRequest(req, deps.sources, ctx.httpRequest);

  const invoiceNumber = newInvoiceNumber(now);
  const statusToken = newReadToken();
  const ticket = newReadToken();
  const customer = dokuCustomer(req.customer);
  const order: NewOrder = {
    invoiceNumber,
    amount: draft.amount,
    requestId: newRequestId(),
    lineItems: draft.lineItems,
    reference: draft.reference,
    metadata: draft.metadata,
    customer: customer ?? null,
    returnUrl,
    createdAt: now,
    expiresAt: new Date(now.getTime() + config.orderExpiryMs),
    statusTokenHash: hashReadToken(statusToken),
    returnTicket: { hash: hashReadToken(ticket), expiresAt: new Date(now.getTime() + RETURN_TICKET_TTL_MS) },
  };
  // Checked against DOKU's request shape before anything is stored: what DOKU would refuse is a 400
  // here, not a FAILED order and a 502.
  const dokuRequest: LinkAjaPaymentRequest = {
    order: {
      invoice_number: invoiceNumber,
      amount: draft.amount,
      callback_url: callbackUrlFor(returnUrl, invoiceNumber, ticket),
      line_items: draft.lineItems,
    },
    customer,
    additional_info: { override_notification_url: config.notificationUrl },
  };
  const sendable = LinkAjaPaymentRequest.safeParse(dokuRequest);
  if (!sendable.success) {
    const issues = issuesOf(sendable.error);
    throw new OrderError('invalid_order', describeIssues('order for DOKU', issues), issues);
  }

  const key = ctx.idempotencyKey;
  const outcome = await store
    .findOrCreatePayment({
      order,
      idempotency: key === undefined ? undefined : { scope: ctx.origin ?? '', name: key, requestHash: hashOf(req) },
      now,
      // DOKU's call (its retries included) ends within the client's timeout; a margin for the rest.
      inFlightMs: config.dokuTimeoutMs + 5_000,
    })
    .catch(storeFailure(NOT_RECORDED));
  switch (outcome.kind) {
    case 'key_reused':
      throw new OrderError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with another request; use a new key for a new payment.',
      );
    case 'already_paid':
      log.info({ reference: draft.reference, paid: outcome.invoiceNumber }, 'reference already paid');
      throw new OrderError('already_paid', 'This order is already paid.');
    case 'found':
      return answerAgain(deps, outcome.order, outcome.redirect, log);
    case 'in_progress': {
      const [ready, redirect] = await redirectOf(deps, outcome.order);
      return answerAgain(deps, ready, redirect, log);
    }
    case 'created': {
      const redirect = await askDoku(deps, { request: dokuRequest, order, ticket }, log);
      return { created: true, payment: answer(outcome.order, redirect, statusToken) };
    }
  }
}

const hashOf = (req: CreatePaymentRequest) => createHash('sha256').update(canonicalJson(req)).digest('hex');

/** DOKU's answer for a new order: its redirect, kept for the answers given again. */
async function askDoku(
  deps: CreatePaymentDeps,
  { request, order, ticket }: { request: LinkAjaPaymentRequest; order: NewOrder; ticket: string },
  log: Logger,
): Promise<Redirect> {
  const { store } = deps;
  const { invoiceNumber, requestId } = order;
  const plog = log.child({ invoice: invoiceNumber, dokuRequestId: requestId });
  let answered;
  try {
    answered = await deps.doku.createLinkAjaPayment(request, requestId);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    const safe = withoutTicket(err, ticket);
    plog.warn({ kind: safe.kind, httpStatus: safe.httpStatus, reason: safe.message }, 'DOKU create payment failed');
    if (err.kind === 'refused') await store.markRejected(invoiceNumber, new Date()).catch(() => undefined);
    // Otherwise DOKU may hold the payment: the order stays PENDING and reconciliation asks Check Status.
    // No redirect was handed out, so no customer can pay it: its keys are free for a retry.
    await store.releasePaymentKeys(invoiceNumber).catch(() => undefined);
    throw safe;
  }
  const ep = answered.emoney_payment;
  const redirect: Redirect = {
    method: ep.redirect_method_http.toUpperCase(),
    url: ep.redirect_url_http,
    parameters: ep.redirect_parameter.map(({ name, value }) => ({ name, value })),
  };
  // DOKU has the payment; if only this bookkeeping fails, the customer can still pay and
  // reconciliation settles the order, so the redirect is answered anyway.
  await store
    .markAccepted(invoiceNumber, redirect, new Date())
    .catch((err: Error) => plog.error({ reason: err.message }, 'could not record the redirect'));
  plog.info({ amount: order.amount, lines: order.lineItems.length, reference: order.reference }, 'payment created');
  return redirect;
}

/** The same payment, being created by another request (maybe on another instance): wait for its redirect. */
async function redirectOf(deps: CreatePaymentDeps, pending: Order): Promise<[Order, Redirect]> {
  const deadline = Date.now() + (deps.inProgressWaitMs ?? 5_000);
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    const order = await deps.store.getOrder(pending.invoiceNumber).catch(storeFailure(NOT_RECORDED));
    if (order?.redirect) return [order, order.redirect];
    if (!order || order.gatewayState === 'rejected') break;
  }
  throw new OrderError('payment_in_progress', 'This payment is still being created; please try again in a moment.');
}

/** The same payment again, with a fresh status token of its own (tokens are kept only as hashes). */
async function answerAgain(
  deps: CreatePaymentDeps,
  order: Order,
  redirect: Redirect,
  log: Logger,
): Promise<PaymentAnswer> {
  const statusToken = newReadToken();
  await deps.store
    .addReadToken(
      order.invoiceNumber,
      { hash: hashReadToken(statusToken), kind: 'status', expiresAt: null },
      new Date(),
    )
    .catch(storeFailure(NOT_RECORDED));
  log.info({ invoice: order.invoiceNumber, status: order.status }, 'same payment handed out again');
  return { created: false, payment: answer(order, redirect, statusToken) };
}
