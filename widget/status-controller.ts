// Follows one payment's status for the element: server-sent events first, polling with backoff when
// the stream fails or EventSource is unavailable. A reactive controller, so it stops with its host.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PaymentStatusResponse } from '../shared/api.ts';
import { BffError, getPaymentStatus, paymentPath } from './bff-client.ts';
import type { PendingPayment } from './pending-payment.ts';

export interface StatusCallbacks {
  /** Every status read (the host decides what is a change). */
  onStatus(status: PaymentStatusResponse): void;
  /** A failed read. `fatal`: the payment cannot be followed any more (unknown invoice or token). */
  onError(error: BffError, fatal: boolean): void;
}

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 15_000;

export class StatusController implements ReactiveController {
  private payment?: PendingPayment;
  private source?: EventSource;
  private timer?: ReturnType<typeof setTimeout>;
  private delay = FIRST_DELAY_MS;
  private failures = 0;
  /** Bumped on every (re)start, so answers of an earlier run are ignored. */
  private run = 0;

  constructor(
    host: ReactiveControllerHost,
    private readonly callbacks: StatusCallbacks,
  ) {
    host.addController(this);
  }

  /** Whether a payment is being followed right now. */
  get active(): boolean {
    return this.payment !== undefined;
  }

  /** Start following a payment (stops following any other). */
  follow(payment: PendingPayment): void {
    this.stop();
    this.payment = payment;
    this.delay = FIRST_DELAY_MS;
    this.failures = 0;
    if (typeof EventSource === 'function') this.openStream(this.run);
    else void this.poll(this.run);
  }

  /** Look again now (page shown again, tab visible again): one read, and reopen the stream if it closed. */
  recheck(): void {
    const payment = this.payment;
    if (!payment) return;
    // The stream is live (readyState 1, OPEN; the EventSource global itself may be missing): read once.
    if (this.source?.readyState === 1) void this.poll(this.run, false);
    // Polling, reconnecting, or a stream the browser closed silently (back/forward cache): start afresh.
    else this.follow(payment);
  }

  stop(): void {
    this.run++;
    this.payment = undefined;
    this.source?.close();
    this.source = undefined;
    clearTimeout(this.timer);
  }

  hostDisconnected(): void {
    this.stop();
  }

  private openStream(run: number): void {
    const { bff, invoice, status_token } = this.payment!;
    const source = new EventSource(`${paymentPath(bff, invoice)}/events?token=${encodeURIComponent(status_token)}`);
    this.source = source;
    source.addEventListener('status', (e) => {
      if (run !== this.run) return;
      this.failures = 0;
      this.deliver(JSON.parse((e as MessageEvent<string>).data) as PaymentStatusResponse);
    });
    source.onerror = () => {
      if (run !== this.run) return;
      // A blip, or the BFF's planned end (retry: 3000): the browser reconnects with Last-Event-ID.
      // One read meanwhile, in case the change came in between.
      if (source.readyState === 0 /* CONNECTING */) return void this.poll(run, false);
      // Refused or given up: polling tells us why and carries on.
      source.close();
      this.source = undefined;
      void this.poll(run);
    };
  }

  private async poll(run: number, schedule = true): Promise<void> {
    const payment = this.payment;
    if (!payment) return;
    try {
      const status = await getPaymentStatus(payment.bff, payment.invoice, payment.status_token);
      if (run !== this.run) return;
      this.failures = 0;
      this.deliver(status);
    } catch (e) {
      if (run !== this.run) return;
      const error = e instanceof BffError ? e : new BffError('bad_response', String(e));
      const fatal = error.status === 404;
      // Report the first failure of a streak only: retries stay quiet until something changes.
      if (fatal || this.failures++ === 0) this.callbacks.onError(error, fatal);
      if (fatal) return this.stop();
    }
    // Still pending (or failing): ask again later, a little later each time (1 s, 2 s, 4 s … 15 s).
    if (schedule && this.payment && run === this.run && !this.source) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.poll(run), this.delay);
      this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    }
  }

  private deliver(status: PaymentStatusResponse): void {
    if (status.status !== 'PENDING') this.stop();
    this.callbacks.onStatus(status);
  }
}
