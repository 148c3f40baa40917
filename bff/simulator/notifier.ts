// Sends DOKU-style HTTP Notifications: signed over the exact bytes sent, Request-Target = the path of
// the notification URL. The first attempt is awaited (the page waits for it before returning the
// customer to the shop); failures are retried in the background on a short demo schedule.
import { signedHeaders } from '../doku/verify.ts';
import type { Logger } from '../log.ts';
import { notificationBody } from './messages.ts';
import type { SimulatedPayment } from './state.ts';

export interface NotifierOptions {
  clientId: string;
  secretKey: string;
  log: Logger;
  /** Delay before each background retry (DOKU: 30 min, 6 h, 12 h; a demo cannot wait that long). */
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 15_000];

export class Notifier {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;

  constructor(private readonly opts: NotifierOptions) {
    this.retryDelaysMs = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
  }

  /** Notify about a decided payment; resolves with the first attempt's HTTP status or error. */
  async deliver(p: SimulatedPayment): Promise<number | string> {
    if (!p.notificationUrl) {
      p.notifications.push({ at: new Date(), result: 'no notification URL' });
      return 'no notification URL';
    }
    // One notification, one Request-Id: its retries resend the very same bytes and headers.
    const body = JSON.stringify(notificationBody(p));
    const headers = signedHeaders({
      clientId: this.opts.clientId,
      secretKey: this.opts.secretKey,
      target: new URL(p.notificationUrl).pathname,
      body,
    });
    const first = await this.attempt(p, p.notificationUrl, headers, body);
    if (!isDelivered(first)) this.scheduleRetry(p, p.notificationUrl, headers, body, 0);
    return first;
  }

  /** Stop pending retries (the server is closing). */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private scheduleRetry(
    p: SimulatedPayment,
    url: string,
    headers: Record<string, string>,
    body: string,
    index: number,
  ): void {
    if (this.closed || index >= this.retryDelaysMs.length) return;
    const retry = async () => {
      this.timers.delete(timer);
      if (this.closed) return;
      const result = await this.attempt(p, url, headers, body);
      if (!isDelivered(result)) this.scheduleRetry(p, url, headers, body, index + 1);
    };
    const timer = setTimeout(() => void retry(), this.retryDelaysMs[index]);
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(
    p: SimulatedPayment,
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<number | string> {
    let result: number | string;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      result = res.status;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      result = e.name === 'TimeoutError' ? 'timeout' : `network error (${e.cause?.code ?? e.name})`;
    }
    p.notifications.push({ at: new Date(), result });
    const attempt = p.notifications.length;
    // The URL's path only: a query string could carry something private.
    const target = safePath(url);
    if (isDelivered(result))
      this.opts.log.info(
        { invoice: p.invoiceNumber, status: p.status, target, result, attempt },
        'notification delivered',
      );
    else
      this.opts.log.warn(
        { invoice: p.invoiceNumber, status: p.status, target, result, attempt },
        'notification not accepted',
      );
    return result;
  }
}

function isDelivered(result: number | string): boolean {
  return typeof result === 'number' && result >= 200 && result < 300;
}

function safePath(url: string): string {
  try {
    const u = new URL(url);
    return u.origin + u.pathname;
  } catch {
    return '(invalid URL)';
  }
}
