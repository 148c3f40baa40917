// Forwarding final payment results to the merchant's backend (MERCHANT_WEBHOOK_URL) as Standard
// Webhooks signed with MERCHANT_WEBHOOK_SECRET (standard-webhooks.ts). Deliveries wait in an outbox
// (order_events rows queued in the same transaction as the change), so a restart or a crash loses
// none; the store's claim hands each to one instance at a time.
import { Loop } from '../lib/loop.ts';
import type { Logger } from '../log.ts';
import type { Store, WebhookDue } from '../store/types.ts';
import { webhookHeaders, webhookMessageId, webhookPayloadFor } from './standard-webhooks.ts';

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
    const id = webhookMessageId(due.invoiceNumber, due.version);
    let outcome: string;
    try {
      const order = await this.opts.store.getOrder(due.invoiceNumber);
      if (!order) throw new Error(`order ${due.invoiceNumber} is missing`);
      const event = webhookPayloadFor(due, order);
      const body = JSON.stringify(event);
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...webhookHeaders(this.opts.secret, id, body) },
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
      // Names and codes only (TimeoutError, TypeError (ECONNREFUSED)): they are stored and shown to operators.
      const e = err as Error & { cause?: { code?: unknown } };
      outcome = typeof e.cause?.code === 'string' ? `${e.name} (${e.cause.code})` : e.name;
    }
    const delay = this.backoff[due.attempts - 1];
    if (delay === undefined) {
      this.opts.log.error({ event: id, attempts: due.attempts, outcome }, 'merchant webhook gave up');
      return this.opts.store.settleWebhook(due, { nextAt: null, error: outcome });
    }
    this.opts.log.warn(
      { event: id, attempt: due.attempts, outcome, retryInMs: delay },
      'merchant webhook failed; will retry',
    );
    return this.opts.store.settleWebhook(due, { nextAt: new Date(Date.now() + delay), error: outcome });
  }
}

/** Delivery timing (tests shorten it). */
export type WebhookTiming = Pick<WebhookForwarderOptions, 'backoffMs' | 'timeoutMs' | 'pollMs'>;

/** The forwarder the configuration asks for, if any (not started). `timing` is for tests. */
export function webhookFromConfig(
  config: { merchantWebhookUrl?: string; merchantWebhookSecret?: string },
  store: Store,
  log: Logger,
  timing: WebhookTiming = {},
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
