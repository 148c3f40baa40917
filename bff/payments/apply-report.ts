// Apply a report about a payment (notification, Check Status, expiry): the store carries out the
// pure plan in one transaction and announces the change to open streams itself (orders/plan.ts,
// store/); this says what happened and hands a queued merchant webhook to its forwarder at once.
import type { Logger } from '../log.ts';
import type { BffMetrics } from '../metrics/metrics.ts';
import type { ApplyInput, ApplyOutcome } from '../orders/plan.ts';
import type { Store } from '../store/types.ts';
import type { WebhookForwarder } from '../webhooks/merchant-webhook.ts';

export interface ApplyDeps {
  store: Store;
  log: Logger;
  /** Forwards final results to the merchant's backend (MERCHANT_WEBHOOK_URL), when configured: they are queued with the change. */
  webhook?: WebhookForwarder;
  /**
   * Queue final results for the merchant's backend although no forwarder runs here (the CLI: a running
   * BFF delivers them). Default: whether `webhook` is given.
   */
  queueWebhooks?: boolean;
  metrics?: Pick<BffMetrics, 'paymentFinal' | 'latePayment' | 'amountMismatch'>;
}

export async function applyReport(deps: ApplyDeps, input: ApplyInput): Promise<ApplyOutcome> {
  const outcome = await deps.store.applyReport({
    ...input,
    queueWebhook: deps.queueWebhooks ?? deps.webhook !== undefined,
  });
  const ctx = {
    invoice: input.invoiceNumber,
    source: input.source,
    reported: input.report.status,
    requestId: input.inbox?.requestId,
  };
  if (outcome.kind !== 'applied') {
    deps.log.info({ ...ctx, outcome: outcome.kind }, `report ${outcome.kind.replace('_', ' ')}`);
    return outcome;
  }
  const { verdict, order, previous } = outcome;
  switch (verdict.kind) {
    case 'transition':
      deps.metrics?.paymentFinal(verdict.to);
      // Money taken after the order was given up on: the customer was told it failed or expired, so
      // someone must look (the store counts these: countLatePayments; so does the late-payments metric).
      if (previous !== 'PENDING' && verdict.to === 'SUCCESS') {
        deps.metrics?.latePayment();
        deps.log.error({ ...ctx, from: previous, to: verdict.to }, `late payment: order was ${previous}, now SUCCESS`);
      } else deps.log.info({ ...ctx, from: previous, to: verdict.to }, 'order status changed');
      if (verdict.to === 'SUCCESS' && order.duplicateOf !== null) {
        deps.log.error(
          { ...ctx, reference: order.reference, duplicateOf: order.duplicateOf },
          'a second payment of one reference was paid: refund one (the webhook says duplicate_of)',
        );
      }
      deps.webhook?.kick(); // queued in the same transaction; deliver it now
      break;
    case 'amount_mismatch':
      deps.metrics?.amountMismatch();
      deps.log.error(
        { ...ctx, storedAmount: order.amount, reportedAmount: input.report.amount },
        'amount mismatch: order flagged for review, not marked paid',
      );
      break;
    case 'unknown_status':
      deps.log.warn(ctx, 'unknown status reported: nothing changed');
      break;
    case 'refused':
      deps.log.warn({ ...ctx, current: previous, reason: verdict.reason }, 'transition refused');
      break;
    case 'no_change':
      // Every pending order's Check Status says this; a notification's line is its only one at info.
      deps.log[input.source === 'notification' ? 'info' : 'debug']({ ...ctx, current: previous }, 'no change');
      break;
  }
  return outcome;
}
