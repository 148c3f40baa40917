// Owns the element's payment: its state (payment-state.ts, the host renders from it) and the I/O around
// it: creating the payment, the redirect form, the pending record across the redirect, the events, and
// picking the payment up again (on connect, when the element's key changes, on pageshow and when the
// tab is visible again). Status following itself is StatusController's.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CreatePaymentRequest, PaymentStatusResponse } from '../shared/api.ts';
import { BffError, createPayment } from './bff-client.ts';
import { emit, type LinkajaPayStatusDetail } from './events.ts';
import { initialState, isBusy, canPay, transition, type PaymentAction, type PaymentState } from './payment-state.ts';
import { clearPending, readPending, writePending, type PendingPayment } from './pending-payment.ts';
import { buildRedirectForm } from './redirect-form.ts';
import { StatusController } from './status-controller.ts';

export class PaymentController implements ReactiveController {
  private current = initialState;

  private readonly status: StatusController;
  /** The sessionStorage key of the payment being followed. */
  private followedKey = '';
  /** The key resume() last looked under. */
  private resumedKey = '';
  /** The redirect form this element put into the page (removed if the page comes back from bfcache). */
  private form?: HTMLFormElement;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** Where the host keeps its pending payment: it depends on the host's attributes. */
    private readonly storageKey: () => string,
  ) {
    host.addController(this);
    this.status = new StatusController(host, {
      onStatus: (s) => this.handleStatus(s),
      onError: (e, fatal) => {
        if (fatal) clearPending(this.followedKey);
        this.fail(e, fatal);
      },
    });
  }

  /** What the host renders. Changed by dispatch() alone. */
  get state(): PaymentState {
    return this.current;
  }

  hostConnected(): void {
    addEventListener('pageshow', this.handlePageShow);
    document.addEventListener('visibilitychange', this.handleVisibilityChange);
    this.resume();
  }

  hostUpdate(): void {
    // Frameworks often set bff, sku, items, order-token or id after connecting: look again under the new
    // key. (Lit also updates a removed element: that one follows nothing.)
    if (this.host.isConnected && this.state.phase === 'idle' && this.storageKey() !== this.resumedKey) this.resume();
  }

  hostDisconnected(): void {
    removeEventListener('pageshow', this.handlePageShow);
    document.removeEventListener('visibilitychange', this.handleVisibilityChange);
  }

  /** Pay for `order` (undefined: the host's attributes name none) through the BFF at `bff`. */
  async pay(order: CreatePaymentRequest | undefined, bff: string): Promise<void> {
    if (!canPay(this.state)) return;
    if (!order)
      return this.fail(
        new BffError('invalid_attributes', 'Set sku (and quantity), items or order-token on <linkaja-pay>.'),
      );
    const key = this.storageKey();
    this.status.stop();
    this.dispatch({ type: 'create' });
    try {
      const created = await createPayment(bff, order);
      // Removed meanwhile (a re-render, a closed dialog): no record, no redirect for a page that moved on.
      if (!this.host.isConnected) return void this.dispatch({ type: 'reset' });
      const { invoice_number, amount, expires_at, redirect } = created;
      emit(this.host, 'linkaja-pay:created', { invoice_number, amount, expires_at });
      const pending: PendingPayment = { invoice: invoice_number, status_token: created.status_token, bff, amount };
      writePending(key, pending);
      const form = buildRedirectForm(redirect);
      if (!emit(this.host, 'linkaja-pay:redirect', { invoice_number, redirect, form }, true)) {
        // The merchant takes the customer to LinkAja itself (a new tab, say): follow the payment from here.
        return this.follow(key, pending, 'handover');
      }
      this.dispatch({ type: 'redirect', invoice: { invoice_number, amount } });
      this.form?.remove();
      this.form = form;
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
        throw e;
      }
    } catch (e) {
      this.fail(e, true);
    }
  }

  /** Changes the state (and asks the host to render it); false if the action did not apply. */
  private dispatch(action: PaymentAction): boolean {
    const next = transition(this.current, action);
    if (next === this.current) return false;
    this.current = next;
    this.host.requestUpdate();
    return true;
  }

  /** Shows and announces an error; a `fatal` one ends the attempt. */
  private fail(e: unknown, fatal = false): void {
    const { code, message } = e instanceof BffError ? e : new BffError('internal_error', String(e));
    this.dispatch({ type: 'error', code, fatal });
    emit(this.host, 'linkaja-pay:error', { code, message });
  }

  private follow(key: string, pending: PendingPayment, type: 'follow' | 'handover' = 'follow'): void {
    if (!this.dispatch({ type, invoice: { invoice_number: pending.invoice, amount: pending.amount } })) return;
    this.followedKey = key;
    this.status.follow(pending);
  }

  /** Pick up a payment this page (or an earlier load of it) sent to LinkAja. */
  private resume(): void {
    if (isBusy(this.state)) return;
    const key = (this.resumedKey = this.storageKey());
    const pending = readPending(key);
    if (!pending) return;
    if (this.status.active && this.state.invoice?.invoice_number === pending.invoice) this.status.recheck();
    else this.follow(key, pending);
  }

  private handleStatus(s: PaymentStatusResponse): void {
    const before = this.state.invoice;
    this.dispatch({ type: 'status', status: s });
    if (this.state.invoice === before) return; // the same status again: nothing new to tell
    const detail: LinkajaPayStatusDetail = { invoice_number: s.invoice_number, status: s.status, amount: s.amount };
    emit(this.host, 'linkaja-pay:status', detail);
    if (s.status === 'PENDING') return;
    clearPending(this.followedKey);
    emit(this.host, s.status === 'SUCCESS' ? 'linkaja-pay:success' : 'linkaja-pay:failure', detail);
  }

  private readonly handlePageShow = (e: PageTransitionEvent): void => {
    // A fresh load was handled on connect; this is a page restored from the back/forward cache,
    // as we left it: mid-redirect, or following a payment whose stream the browser closed.
    if (!e.persisted) return;
    if (this.state.phase === 'redirecting') {
      this.form?.remove();
      this.form = undefined;
      this.dispatch({ type: 'reset' });
    }
    this.resume();
  };

  private readonly handleVisibilityChange = (): void => {
    if (document.visibilityState === 'visible') this.resume();
  };
}
