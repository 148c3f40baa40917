// Forwarding final payment results to the merchant's backend (MERCHANT_WEBHOOK_URL), signed with
// MERCHANT_WEBHOOK_SECRET in the style of Stripe's webhooks: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "t.body">`. Deliveries wait in an outbox (order_events rows queued in the same transaction as the
// change), so a restart or a crash loses none; the store's claim hands each to one instance at a time.
import { createHmac } from 'node:crypto';
import type { PaymentStatus } from '../../shared/api.ts';
import { signaturesEqual } from '../doku/signature.ts';
import { Loop } from '../lib/loop.ts';
import type { Logger } from '../log.ts';
import type { LineItem } from '../orders/line-items.ts';
import type { Order } from '../orders/order.ts';
import type { Metadata } from '../orders/reference.ts';
import type { Store, WebhookDue } from '../store/types.ts';

export const WEBHOOK_SIGNATURE_HEADER = 'LinkAja-Pay-Signature';

export interface WebhookEvent {
  /** Unique per change: invoice and order version. Use it to drop duplicates. */
  id: string;
  type: 'payment.succeeded' | 'payment.failed' | 'payment.expired';
  created_at: string;
  data: {
    invoice_number: string;
    /** The merchant's order id (order token `ref`, resolveOrder's `reference`), or null. */
    reference: string | null;
    metadata: Metadata;
    amount: number;
    currency: 'IDR';
    status: PaymentStatus;
    line_items: LineItem[];
    /** When the payment was created. */
    created_at: string;
    /** When this change happened. */
    updated_at: string;
    /**
     * On payment.succeeded only: another payment of the same reference was paid first (its invoice),
     * so the customer paid twice and one must be refunded. Otherwise null.
     */
    duplicate_of: string | null;
  };
}

const TYPES: Partial<Record<PaymentStatus, WebhookEvent['type']>> = {
  SUCCESS: 'payment.succeeded',
  FAILED: 'payment.failed',
  EXPIRED: 'payment.expired',
};

/**
 * The one place a webhook's payload is built: the queued change, with the order it belongs to. Its
 * id is stable across attempts, so receivers can drop repeats.
 */
export function webhookEventFor(due: WebhookDue, order: Order): WebhookEvent {
  return {
    id: `${due.invoiceNumber}:${due.version}`,
    type: TYPES[due.status] ?? 'payment.failed',
    created_at: due.at.toISOString(),
    data: {
      invoice_number: due.invoiceNumber,
      reference: order.reference,
      metadata: order.metadata,
      amount: due.amount,
      currency: 'IDR',
      status: due.status,
      line_items: order.lineItems,
      created_at: order.createdAt.toISOString(),
      updated_at: due.at.toISOString(),
      duplicate_of: due.status === 'SUCCESS' ? order.duplicateOf : null,
    },
  };
}

/** The signature header value for a body sent at `timestamp` (unix seconds). */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * For merchants' backends: verify a forwarded result over the raw body. Throws an Error that says
 * what to check; returns the parsed event.
 */
export function verifyWebhook(
  rawBody: string,
  header: string | undefined,
  secret: string,
  opts: { toleranceSeconds?: number; now?: number } = {},
): WebhookEvent {
  if (!header) throw new Error(`Missing ${WEBHOOK_SIGNATURE_HEADER} header.`);
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1)
    throw new Error(`${WEBHOOK_SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<hex>.`);
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300))
    throw new Error('Webhook timestamp is outside the tolerance: check your clock, or a replay.');
  if (!signaturesEqual(webhookSignature(secret, t, rawBody), header)) {
    throw new Error(
      'Webhook signature does not match: check MERCHANT_WEBHOOK_SECRET and that you pass the raw request body.',
    );
  }
  return JSON.parse(rawBody) as WebhookEvent;
}

export interface WebhookForwarderOptions {
  url: string;
  secret: string;
  store: Store;
  log: Logger;
  /** Delays after each failed attempt (ms); the first attempt is immediate. About 19 h in all by default. */
  backoffMs?: number[];
  timeoutMs?: number;
  /** How often the outbox is looked at for retries and for changes another instance queued. */
  pollMs?: number;
}

const DEFAULT_BACKOFF_MS = [5_000, 30_000, 120_000, 600_000, 3_600_000, 6 * 3_600_000, 12 * 3_600_000];

export class WebhookForwarder {
  private readonly backoff: number[];
  private readonly timeoutMs: number;
  /** A pass over the outbox every pollMs (retries, and what was queued before a restart or by another instance). */
  private readonly loop: Loop;

  constructor(private readonly opts: WebhookForwarderOptions) {
    this.backoff = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    const pollMs = opts.pollMs ?? 5_000;
    this.loop = new Loop({
      intervalMs: pollMs,
      // An outbox that cannot be read (the store is down) is looked at less often, up to once a minute.
      backoff: { minMs: pollMs, maxMs: Math.max(pollMs, 60_000) },
      run: () => this.pass(),
      onError: (err, retryInMs) =>
        opts.log.warn(
          { reason: (err as Error).message, retryInMs },
          'merchant webhook outbox unavailable; will try again',
        ),
    });
  }

  /** Deliver what is due now, then keep looking every pollMs. */
  start(): void {
    this.loop.start();
  }

  /** Deliver what is due now (a change was just queued); kicks during a pass make one more pass. */
  kick(): void {
    this.loop.kick();
  }

  /** For good; waits for the pass in progress. */
  async close(): Promise<void> {
    await this.loop.stop();
  }

  private async pass(): Promise<void> {
    // The lease outlasts an attempt, so no other instance takes a delivery that is still in flight.
    const due = await this.opts.store.claimWebhooks({
      now: new Date(),
      leaseMs: 2 * this.timeoutMs + 1_000,
      limit: 20,
    });
    // allSettled: one failed settle must not end the pass (and let close() return) under the others.
    const results = await Promise.allSettled(due.map((d) => this.deliver(d)));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async deliver(due: WebhookDue): Promise<void> {
    const id = `${due.invoiceNumber}:${due.version}`;
    let outcome: string;
    try {
      const order = await this.opts.store.getOrder(due.invoiceNumber);
      if (!order) throw new Error(`order ${due.invoiceNumber} is missing`);
      const event = webhookEventFor(due, order);
      const body = JSON.stringify(event);
      const ts = Math.floor(Date.now() / 1000);
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(this.opts.secret, ts, body),
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        this.opts.log.info({ event: id, type: event.type, attempt: due.attempts }, 'merchant webhook delivered');
        return this.opts.store.settleWebhook(due, { deliveredAt: new Date() });
      }
      outcome = `HTTP ${res.status}`;
    } catch (err) {
      outcome = (err as Error).name;
    }
    const delay = this.backoff[due.attempts - 1];
    if (delay === undefined) {
      this.opts.log.error({ event: id, attempts: due.attempts, outcome }, 'merchant webhook gave up');
      return this.opts.store.settleWebhook(due, { nextAt: null });
    }
    this.opts.log.warn(
      { event: id, attempt: due.attempts, outcome, retryInMs: delay },
      'merchant webhook failed; will retry',
    );
    return this.opts.store.settleWebhook(due, { nextAt: new Date(Date.now() + delay) });
  }
}

/** The forwarder the configuration asks for, if any (not started). `timing` is for tests. */
export function webhookFromConfig(
  config: { merchantWebhookUrl?: string; merchantWebhookSecret?: string },
  store: Store,
  log: Logger,
  timing: Pick<WebhookForwarderOptions, 'backoffMs' | 'timeoutMs' | 'pollMs'> = {},
): WebhookForwarder | undefined {
  if (!config.merchantWebhookUrl || !config.merchantWebhookSecret) return undefined;
  return new WebhookForwarder({
    url: config.merchantWebhookUrl,
    secret: config.merchantWebhookSecret,
    store,
    log: log.child({ component: 'merchant-webhook' }),
    ...timing,
  });
}
