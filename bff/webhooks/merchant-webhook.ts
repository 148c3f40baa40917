// Forwarding final payment results to the merchant's backend (MERCHANT_WEBHOOK_URL), signed with
// MERCHANT_WEBHOOK_SECRET in the style of Stripe's webhooks: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "t.body">`. Only the instance that applied a change forwards it, so several instances send it once.
// Retries are in memory with backoff: a restart in the middle of them loses the rest (the merchant can
// always read GET /api/payments/:invoice, and a reconciling backend should).
import { createHmac } from 'node:crypto';
import type { PaymentStatus } from '../../shared/api.ts';
import { signaturesEqual } from '../doku/signature.ts';
import type { Logger } from '../log.ts';

export const WEBHOOK_SIGNATURE_HEADER = 'LinkAja-Pay-Signature';

export interface WebhookEvent {
  /** Unique per change: invoice and order version. Use it to drop duplicates. */
  id: string;
  type: 'payment.succeeded' | 'payment.failed' | 'payment.expired';
  created_at: string;
  data: { invoice_number: string; amount: number; currency: 'IDR'; status: PaymentStatus; updated_at: string };
}

const TYPES: Partial<Record<PaymentStatus, WebhookEvent['type']>> = {
  SUCCESS: 'payment.succeeded',
  FAILED: 'payment.failed',
  EXPIRED: 'payment.expired',
};

export function webhookEventFor(order: { invoiceNumber: string; amount: number; status: PaymentStatus; version: number; updatedAt: Date }, now = new Date()): WebhookEvent | null {
  const type = TYPES[order.status];
  if (!type) return null;
  return {
    id: `${order.invoiceNumber}:${order.version}`,
    type,
    created_at: now.toISOString(),
    data: { invoice_number: order.invoiceNumber, amount: order.amount, currency: 'IDR', status: order.status, updated_at: order.updatedAt.toISOString() },
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
export function verifyWebhook(rawBody: string, header: string | undefined, secret: string, opts: { toleranceSeconds?: number; now?: number } = {}): WebhookEvent {
  if (!header) throw new Error(`Missing ${WEBHOOK_SIGNATURE_HEADER} header.`);
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) throw new Error(`${WEBHOOK_SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<hex>.`);
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300)) throw new Error('Webhook timestamp is outside the tolerance: check your clock, or a replay.');
  if (!signaturesEqual(webhookSignature(secret, t, rawBody), header)) {
    throw new Error('Webhook signature does not match: check MERCHANT_WEBHOOK_SECRET and that you pass the raw request body.');
  }
  return JSON.parse(rawBody) as WebhookEvent;
}

export interface WebhookForwarderOptions {
  url: string;
  secret: string;
  log: Logger;
  /** Delays between attempts (ms); the first attempt is immediate. */
  backoffMs?: number[];
  timeoutMs?: number;
}

export class WebhookForwarder {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly backoff: number[];
  constructor(private readonly opts: WebhookForwarderOptions) {
    this.backoff = opts.backoffMs ?? [5_000, 30_000, 120_000, 600_000, 3_600_000];
  }

  /** Queue delivery of an event; returns at once. */
  forward(event: WebhookEvent): void {
    void this.attempt(event, 0);
  }

  private async attempt(event: WebhookEvent, n: number): Promise<void> {
    const body = JSON.stringify(event);
    const ts = Math.floor(Date.now() / 1000);
    let outcome: string;
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(this.opts.secret, ts, body) },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        redirect: 'error',
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        this.opts.log.info({ event: event.id, type: event.type, attempt: n + 1 }, 'merchant webhook delivered');
        return;
      }
      outcome = `HTTP ${res.status}`;
    } catch (err) {
      outcome = (err as Error).name;
    }
    const delay = this.backoff[n];
    if (delay === undefined) {
      this.opts.log.error({ event: event.id, attempts: n + 1, outcome }, 'merchant webhook gave up');
      return;
    }
    this.opts.log.warn({ event: event.id, attempt: n + 1, outcome, retryInMs: delay }, 'merchant webhook failed; will retry');
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(event, n + 1);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  close(): void {
    this.timers.forEach(clearTimeout);
    this.timers.clear();
  }
}

/** The forwarder the configuration asks for, if any. */
export function webhookFromConfig(config: { merchantWebhookUrl?: string; merchantWebhookSecret?: string }, log: Logger): WebhookForwarder | undefined {
  if (!config.merchantWebhookUrl || !config.merchantWebhookSecret) return undefined;
  return new WebhookForwarder({ url: config.merchantWebhookUrl, secret: config.merchantWebhookSecret, log: log.child({ component: 'merchant-webhook' }) });
}
