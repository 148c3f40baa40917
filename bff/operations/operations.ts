// What the merchant's backend (server API) and an operator (the CLI) do with payments and webhook
// deliveries: look one up, list them, ask DOKU about one now, resend a webhook. One implementation
// for both callers; each takes validated input and answers with the views of views.ts.
import type { PaymentStatus } from '../../shared/api.ts';
import type { PaymentDetail, PaymentList, WebhookDelivery, WebhookDeliveryList } from '../../shared/server-api.ts';
import type { DokuClient } from '../doku/client.ts';
import { newRequestId } from '../orders/ids.ts';
import { OrderError } from '../orders/errors.ts';
import type { Verdict } from '../orders/state.ts';
import { applyReport, type ApplyDeps } from '../payments/apply-report.ts';
import type { DeliveryQuery } from '../store/types.ts';
import {
  deliveryView,
  paymentCursor,
  paymentDetailView,
  paymentView,
  readDeliveryCursor,
  readPaymentCursor,
} from './views.ts';

export interface OperationsDeps extends ApplyDeps {
  doku: Pick<DokuClient, 'checkStatus'>;
  clock: () => Date;
  /** MERCHANT_WEBHOOK_URL is set: resent deliveries will be sent. */
  webhooksConfigured: boolean;
}

const noPayment = (invoice: string) => new OrderError('not_found', `No payment ${invoice}.`);

export async function showPayment(deps: Pick<OperationsDeps, 'store'>, invoice: string): Promise<PaymentDetail> {
  const order = await deps.store.getOrder(invoice);
  if (!order) throw noPayment(invoice);
  return paymentDetailView(order, await deps.store.listEvents(invoice));
}

export interface PaymentFilter {
  reference?: string;
  status?: PaymentStatus;
  created_after?: string;
  limit: number;
  cursor?: string;
}

export async function listPayments(deps: Pick<OperationsDeps, 'store'>, f: PaymentFilter): Promise<PaymentList> {
  // One more than asked: whether a next page exists, without a count.
  const orders = await deps.store.listOrders({
    reference: f.reference,
    status: f.status,
    createdFrom: f.created_after === undefined ? undefined : new Date(f.created_after),
    after: f.cursor === undefined ? undefined : readPaymentCursor(f.cursor),
    limit: f.limit + 1,
  });
  const page = orders.slice(0, f.limit);
  return {
    data: page.map(paymentView),
    next_cursor: orders.length > f.limit ? paymentCursor(page[page.length - 1]) : null,
  };
}

/** What DOKU's Check Status said, and what it did to the order. */
export interface CheckResult {
  payment: PaymentDetail;
  /** DOKU's transaction status; null when DOKU does not know the invoice. */
  dokuStatus: string | null;
  outcome: Verdict['kind'] | 'unknown_at_doku';
}

/** Ask DOKU's Check Status about one order now and apply the answer as reconciliation would. */
export async function checkPayment(deps: OperationsDeps, invoice: string): Promise<CheckResult> {
  if (!(await deps.store.getOrder(invoice))) throw noPayment(invoice);
  const answer = await deps.doku.checkStatus(invoice, newRequestId());
  let outcome: CheckResult['outcome'] = 'unknown_at_doku';
  if (answer.found) {
    const applied = await applyReport(deps, {
      invoiceNumber: invoice,
      report: { status: answer.status, amount: answer.amount },
      source: 'check_status',
      now: deps.clock(),
    });
    if (applied.kind === 'applied') outcome = applied.verdict.kind;
  }
  return { payment: await showPayment(deps, invoice), dokuStatus: answer.found ? answer.status : null, outcome };
}

export interface DeliveryFilter {
  status?: DeliveryQuery['state'];
  invoice?: string;
  limit: number;
  cursor?: string;
}

export async function listDeliveries(
  deps: Pick<OperationsDeps, 'store'>,
  f: DeliveryFilter,
): Promise<WebhookDeliveryList> {
  const rows = await deps.store.webhookOutbox.list({
    state: f.status,
    invoiceNumber: f.invoice,
    beforeId: f.cursor === undefined ? undefined : readDeliveryCursor(f.cursor),
    limit: f.limit + 1,
  });
  const page = rows.slice(0, f.limit);
  return { data: page.map(deliveryView), next_cursor: rows.length > f.limit ? String(page[page.length - 1].id) : null };
}

/** Queue a delivery again now; the forwarder (on this or any instance) sends it within its poll. */
export async function resendDelivery(
  deps: Pick<OperationsDeps, 'store' | 'webhook' | 'webhooksConfigured'>,
  id: number,
): Promise<WebhookDelivery> {
  if (!deps.webhooksConfigured) {
    throw new OrderError('webhooks_not_configured', 'MERCHANT_WEBHOOK_URL is not set: nothing would send a webhook.');
  }
  // Due on the forwarder's own clock (the system's), which claims what is due by it.
  const resent = await deps.store.webhookOutbox.resend(id, new Date());
  if (!resent) throw new OrderError('not_found', `No webhook delivery ${id}.`);
  deps.webhook?.kick();
  return deliveryView(resent);
}
