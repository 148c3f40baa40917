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

/**
 * After a failure: a status read every `everyMs` (no stream) for `forMs`, in case the payment turns
 * SUCCESS late; it stops once the page has been hidden for `hiddenMs`. Tests shorten these.
 */
export const latePoll = { everyMs: 30_000, forMs: 10 * 60_000, hiddenMs: 2 * 60_000 };

export class StatusController implements ReactiveController {
  #payment?: PendingPayment;
  #source?: EventSource;
  #timer?: ReturnType<typeof setTimeout>;
  #delay = FIRST_DELAY_MS;
  #failures = 0;
  /** Bumped on every (re)start, so answers of an earlier run are ignored. */
  #run = 0;
  /** While watching for a late result: when to stop, and since when the page is hidden (0: shown). */
  #lateUntil = 0;
  #hiddenSince = 0;

  readonly #callbacks: StatusCallbacks;

  constructor(host: ReactiveControllerHost, callbacks: StatusCallbacks) {
    this.#callbacks = callbacks;
    host.addController(this);
  }

  /** Whether a payment is being followed right now. */
  get active(): boolean {
    return this.#payment !== undefined;
  }

  /** Start following a payment (stops following any other). */
  follow(payment: PendingPayment): void {
    this.stop();
    this.#payment = payment;
    this.#delay = FIRST_DELAY_MS;
    this.#failures = 0;
    if (typeof EventSource === 'function') this.#openStream(this.#run);
    else void this.#poll(this.#run);
  }

  /** Watch a failed payment for a late SUCCESS (see latePoll): quiet, reported only if it comes. */
  watchLate(payment: PendingPayment): void {
    this.stop();
    this.#payment = payment;
    this.#lateUntil = Date.now() + latePoll.forMs;
    this.#hiddenSince = 0;
    const run = this.#run;
    this.#timer = setTimeout(() => void this.#poll(run), latePoll.everyMs);
  }

  /** Look again now (page shown again, tab visible again): one read, and reopen the stream if it closed. */
  recheck(): void {
    const payment = this.#payment;
    if (!payment) return;
    // The stream is live (readyState 1, OPEN; the EventSource global itself may be missing): read once.
    if (this.#source?.readyState === 1) void this.#poll(this.#run, false);
    // Polling, reconnecting, or a stream the browser closed silently (back/forward cache): start afresh.
    else this.follow(payment);
  }

  stop(): void {
    this.#run++;
    this.#lateUntil = 0;
    this.#payment = undefined;
    this.#source?.close();
    this.#source = undefined;
    clearTimeout(this.#timer);
  }

  hostDisconnected(): void {
    this.stop();
  }

  #openStream(run: number): void {
    const { bff, invoice_number, status_token } = this.#payment!;
    const source = new EventSource(
      `${paymentPath(bff, invoice_number)}/events?token=${encodeURIComponent(status_token)}`,
    );
    this.#source = source;
    source.addEventListener('status', (e) => {
      if (run !== this.#run) return;
      this.#failures = 0;
      this.#deliver(JSON.parse((e as MessageEvent<string>).data) as PaymentStatusResponse);
    });
    source.onerror = () => {
      if (run !== this.#run) return;
      // A blip, or the BFF's planned end (retry: 3000): the browser reconnects with Last-Event-ID.
      // One read meanwhile, in case the change came in between.
      if (source.readyState === 0 /* CONNECTING */) return void this.#poll(run, false);
      // Refused or given up: polling tells us why and carries on.
      source.close();
      this.#source = undefined;
      void this.#poll(run);
    };
  }

  async #poll(run: number, schedule = true): Promise<void> {
    const payment = this.#payment;
    if (!payment) return;
    const late = this.#lateUntil;
    const now = Date.now();
    this.#hiddenSince = document.hidden ? this.#hiddenSince || now : 0;
    if (late && (now > late || (this.#hiddenSince && now - this.#hiddenSince >= latePoll.hiddenMs))) return this.stop();
    // A late watch reads nothing while the page is hidden, and says nothing of failed reads.
    if (!late || !this.#hiddenSince)
      try {
        const status = await getPaymentStatus(payment.bff, payment.invoice_number, payment.status_token);
        if (run !== this.#run) return;
        this.#failures = 0;
        this.#deliver(status);
      } catch (e) {
        if (run !== this.#run) return;
        const error = e instanceof BffError ? e : new BffError('bad_response', String(e));
        const fatal = error.status === 404;
        // Report the first failure of a streak only: retries stay quiet until something changes.
        if (!late && (fatal || this.#failures++ === 0)) this.#callbacks.onError(error, fatal);
        if (fatal) return this.stop();
      }
    // Still pending (or failing): ask again later, a little later each time (1 s, 2 s, 4 s … 15 s).
    if (schedule && this.#payment && run === this.#run && !this.#source) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.#poll(run), late ? latePoll.everyMs : this.#delay);
      this.#delay = Math.min(this.#delay * 2, MAX_DELAY_MS);
    }
  }

  #deliver(status: PaymentStatusResponse): void {
    // A late watch goes on through the failure it knows; any other final status ends the following.
    if (status.status === 'SUCCESS' || (status.status !== 'PENDING' && !this.#lateUntil)) this.stop();
    this.#callbacks.onStatus(status);
  }
}
