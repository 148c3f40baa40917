// Owns the element's payment: its state (payment-state.ts, the host renders from it) and the I/O around
// it: creating the payment (one Idempotency-Key per cart attempt), the redirect form (again, to continue
// a pending payment), the pending record across the redirect, the events, and picking the payment up
// again (on connect, from the return URL, when the element's key changes, on pageshow and when the tab is
// visible again). Status following itself is StatusController's.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CreatePaymentRequest, PaymentStatusResponse } from '../shared/api.ts';
import { BffError, createPayment } from './bff-client.ts';
import { emit, type LinkajaPayStatusDetail } from './events.ts';
import { initialState, isBusy, transition, type PaymentAction, type PaymentState } from './payment-state.ts';
import {
  attemptKey,
  clearAttempt,
  clearPending,
  readPending,
  writePending,
  type PendingPayment,
} from './pending-payment.ts';
import { buildRedirectForm } from './redirect-form.ts';
import { offerReturn, type ReturnedPayment } from './return-url.ts';
import { StatusController } from './status-controller.ts';

/** What the controller needs to know of its host, read afresh each time (frameworks set them late). */
export interface PaymentHost {
  /** Where the host keeps its pending payment. */
  storageKey(): string;
  /** A fingerprint of what the host's order pays for (not the token's signature or lifetime). */
  cart(): string;
  /** The BFF's base URL. */
  bff(): string;
}

export class PaymentController implements ReactiveController {
  #current = initialState;

  readonly #status: StatusController;
  /** The sessionStorage key, and the record, of the payment being followed. */
  #followedKey = '';
  #followed?: PendingPayment;
  /** The key resume() last looked under. */
  #resumedKey = '';
  /** The redirect form this element put into the page (removed if the page comes back from bfcache). */
  #form?: HTMLFormElement;

  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #of: PaymentHost;

  constructor(host: ReactiveControllerHost & HTMLElement, of: PaymentHost) {
    this.#host = host;
    this.#of = of;
    host.addController(this);
    this.#status = new StatusController(host, {
      onStatus: (s) => this.#handleStatus(s),
      onError: (e, fatal) => {
        if (fatal) clearPending(this.#followedKey);
        // A return URL naming a payment the BFF does not know (another invoice's ticket, an expired one): nothing to say.
        if (fatal && this.#followed?.returned) return void this.#dispatch({ type: 'error', code: '', fatal });
        this.#fail(e, fatal);
      },
    });
  }

  /** What the host renders. Changed by dispatch() alone. */
  get state(): PaymentState {
    return this.#current;
  }

  hostConnected(): void {
    addEventListener('pageshow', this.#handlePageShow);
    document.addEventListener('visibilitychange', this.#handleVisibilityChange);
    this.#resume();
    offerReturn({
      free: () => this.#host.isConnected && this.state.phase === 'idle',
      take: (p) => this.#takeReturn(p),
    });
  }

  hostUpdate(): void {
    // Frameworks often set bff, sku, items, order-token or id after connecting: look again under the new
    // key. (Lit also updates a removed element: that one follows nothing.)
    if (this.#host.isConnected && this.state.phase === 'idle' && this.#of.storageKey() !== this.#resumedKey)
      this.#resume();
  }

  hostDisconnected(): void {
    removeEventListener('pageshow', this.#handlePageShow);
    document.removeEventListener('visibilitychange', this.#handleVisibilityChange);
  }

  /**
   * The pay button: continue this cart's pending payment, else pay for `order` (undefined: the host's
   * attributes name none).
   */
  async pay(order: CreatePaymentRequest | undefined): Promise<void> {
    const key = this.#of.storageKey();
    const cart = this.#of.cart();
    const before = this.state.phase;
    if (!this.#dispatch({ type: 'click', cart, now: Date.now() })) return;
    if (this.state.phase === 'redirecting')
      return this.#goToLinkAja(key, { ...this.#followed!, ...this.state.invoice });
    // A new payment over a pending one (expired, or the customer chose to): a new attempt, a new key.
    if (before === 'pending') clearAttempt(key);
    if (!order)
      return this.#fail(new BffError('invalid_attributes', 'Set sku, items or order-token on <linkaja-pay>.'), true);
    const bff = this.#of.bff();
    this.#status.stop();
    try {
      const created = await createPayment(bff, order, attemptKey(key, JSON.stringify(order)));
      // Removed meanwhile (a re-render, a closed dialog): no record, no redirect for a page that moved on.
      if (!this.#host.isConnected) return void this.#dispatch({ type: 'reset' });
      const { invoice_number, amount, expires_at } = created;
      emit(this.#host, 'linkaja-pay:created', { invoice_number, amount, expires_at });
      // Its status is learnt (and announced) by following it.
      const pending: PendingPayment = { ...created, status: undefined, bff, cart, uses: 1, path: location.pathname };
      // The same attempt answered again after its payment ended (this tab never learnt it): show that.
      if (created.status !== 'PENDING') return void this.#follow(key, { ...pending, redirect: undefined }, 'handover');
      this.#goToLinkAja(key, pending);
    } catch (e) {
      // 422 idempotency_key_reused: the key went with another body (it cannot, short of a hash collision).
      if ((e as BffError).status === 422) clearAttempt(key);
      this.#fail(e, true);
    }
  }

  /** Changes the state (and asks the host to render it); false if the action did not apply. */
  #dispatch(action: PaymentAction): boolean {
    const next = transition(this.#current, action);
    if (next === this.#current) return false;
    this.#current = next;
    this.#host.requestUpdate();
    return true;
  }

  /** Shows and announces an error; a `fatal` one ends the attempt. */
  #fail(e: unknown, fatal = false): void {
    const { code, message } = e instanceof BffError ? e : new BffError('internal_error', String(e));
    this.#dispatch({ type: 'error', code, fatal });
    emit(this.#host, 'linkaja-pay:error', { code, message });
  }

  /** Sends the customer to the payment's LinkAja page (the first time, or again to continue it). */
  #goToLinkAja(key: string, payment: PendingPayment): void {
    const { invoice_number, redirect } = payment;
    writePending(key, payment);
    this.#followedKey = key;
    this.#followed = payment;
    const form = buildRedirectForm(redirect!);
    // Canceled: the merchant takes the customer to LinkAja itself (a new tab, say): follow it from here.
    if (!emit(this.#host, 'linkaja-pay:redirect', { invoice_number, redirect: redirect!, form }, true))
      return void this.#follow(key, payment, 'handover');
    this.#dispatch({ type: 'redirect', invoice: payment });
    this.#form?.remove();
    this.#form = form;
    // This page, whatever a <base target> says (elsewhere, this page would stay busy for good).
    // Attribute and prototype: inputs named "target" or "submit" shadow the form's own members.
    form.setAttribute('target', '_self');
    document.body.append(form);
    try {
      HTMLFormElement.prototype.submit.call(form);
    } catch (e) {
      // Nobody went to LinkAja: nothing to pick up on a later load.
      form.remove();
      clearPending(key);
      this.#fail(e, true);
    }
  }

  #follow(key: string, p: PendingPayment, type: 'follow' | 'handover' = 'follow'): boolean {
    if (!this.#dispatch({ type, invoice: p })) return false;
    this.#followedKey = key;
    this.#followed = p;
    this.#status.follow(p);
    return true;
  }

  /** Pick up a payment this page (or an earlier load of it) sent to LinkAja. */
  #resume(): void {
    if (isBusy(this.state)) return;
    const key = (this.#resumedKey = this.#of.storageKey());
    const pending = readPending(key);
    if (!pending) return;
    if (this.#status.active && this.state.invoice?.invoice_number === pending.invoice_number) this.#status.recheck();
    else this.#follow(key, pending);
  }

  /** The payment the return URL named is this element's to follow (and to find again on a reload). */
  #takeReturn({ invoice, token }: ReturnedPayment): void {
    const key = this.#of.storageKey();
    const p: PendingPayment = {
      invoice_number: invoice,
      status_token: token,
      bff: this.#of.bff(),
      amount: 0,
      path: location.pathname,
      returned: true,
    };
    if (this.#follow(key, p)) writePending(key, p);
  }

  #handleStatus(s: PaymentStatusResponse): void {
    const before = this.state.invoice;
    this.#dispatch({ type: 'status', status: s });
    if (this.state.invoice === before) return; // the same status again: nothing new to tell
    const detail: LinkajaPayStatusDetail = { invoice_number: s.invoice_number, status: s.status, amount: s.amount };
    emit(this.#host, 'linkaja-pay:status', detail);
    if (s.status === 'PENDING') return;
    clearPending(this.#followedKey);
    const paid = s.status === 'SUCCESS';
    emit(this.#host, paid ? 'linkaja-pay:success' : 'linkaja-pay:failure', detail);
    // DOKU may still take the money (a late approval the BFF's checks find): keep an eye on it.
    if (!paid && this.#followed) this.#status.watchLate(this.#followed);
  }

  readonly #handlePageShow = (e: PageTransitionEvent): void => {
    // A fresh load was handled on connect; this is a page restored from the back/forward cache,
    // as we left it: mid-redirect, or following a payment whose stream the browser closed.
    if (!e.persisted) return;
    if (this.state.phase === 'redirecting') {
      this.#form?.remove();
      this.#form = undefined;
      this.#dispatch({ type: 'reset' });
    }
    this.#resume();
  };

  readonly #handleVisibilityChange = (): void => {
    if (document.visibilityState === 'visible') this.#resume();
  };
}
