// The <linkaja-pay> element: state and rendering. Styles, strings, BFF calls, the pending record and
// status following live in their own small modules beside it.
import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { CartItem, CreatePaymentRequest, PaymentStatus, PaymentStatusResponse } from '../shared/api.ts';
import { BffError, createPayment, normaliseBff } from './bff-client.ts';
import styles from './linkaja-pay.styles.ts';
import { formatRupiah, stringsFor, type Locale } from './localize.ts';
import { clearPending, pendingKey, readPending, writePending, type PendingPayment } from './pending-payment.ts';
import { buildRedirectForm } from './redirect-form.ts';
import { StatusController } from './status-controller.ts';

type Phase = 'idle' | 'creating' | 'redirecting' | 'pending' | 'success' | 'failure';
type OrderBody = { items: CartItem[] } | { order_token: string };

/**
 * A "Pay with LinkAja" button: asks the merchant's BFF for a payment, sends the customer to LinkAja,
 * and shows the result live when they come back.
 *
 * @summary Pay with LinkAja through the merchant's BFF (DOKU).
 *
 * @event linkaja-pay:created - A payment was created. detail: `{invoice_number, amount, expires_at}`.
 * @event linkaja-pay:redirect - About to go to LinkAja; cancelable. detail: `{invoice_number, redirect, form}`.
 * @event linkaja-pay:status - The payment's status changed. detail: `{invoice_number, status, amount}`.
 * @event linkaja-pay:success - The payment succeeded. detail: `{invoice_number, status, amount}`.
 * @event linkaja-pay:failure - The payment failed or expired. detail: `{invoice_number, status, amount}`.
 * @event linkaja-pay:error - The BFF could not be reached or refused. detail: `{code, message}`.
 *
 * @csspart button - The native pay button.
 * @csspart status - The payment's status line.
 * @csspart message - The error message line.
 *
 * @cssproperty --linkaja-pay-color - Button background (LinkAja red, #E82127).
 * @cssproperty --linkaja-pay-hover-color - Button background on hover.
 * @cssproperty --linkaja-pay-text-color - Button text colour.
 * @cssproperty --linkaja-pay-paid-color - Button background once paid.
 * @cssproperty --linkaja-pay-focus-color - Focus ring colour.
 * @cssproperty --linkaja-pay-error-color - Error message colour.
 * @cssproperty --linkaja-pay-radius - Button corner radius.
 * @cssproperty --linkaja-pay-padding - Button padding.
 * @cssproperty --linkaja-pay-font-size - Button font size.
 */
export class LinkajaPay extends LitElement {
  static override styles = styles;

  /** Base URL of the merchant's BFF; empty means this page's own origin. */
  @property() bff = '';
  /** The catalog SKU to pay for (with `quantity`). */
  @property() sku = '';
  /** How many of `sku`. */
  @property({ type: Number }) quantity = 1;
  /** A whole cart as JSON, `[{"sku","quantity"}]`, instead of `sku`. */
  @property({ type: Array }) items: CartItem[] | undefined = undefined;
  /** An order token signed by the merchant's backend, instead of `sku` or `items`. */
  @property({ attribute: 'order-token' }) orderToken = '';
  /** Language of the element's text: `id` (default) or `en`. */
  @property({ reflect: true }) locale: Locale = 'id';
  /** Button text instead of the default. */
  @property() label = '';

  @state() private phase: Phase = 'idle';
  @state() private payment: { invoice_number: string; amount: number; status?: PaymentStatus } | undefined;
  @state() private errorCode = '';

  private readonly status = new StatusController(this, {
    onStatus: (s) => this.handleStatus(s),
    onError: (e, fatal) => {
      if (fatal) {
        clearPending(this.followedKey);
        this.phase = 'idle';
      }
      this.fail(e);
    },
  });
  /** The sessionStorage key of the payment being followed. */
  private followedKey = '';
  /** The key resume() last looked under. */
  private resumedKey = '';
  /** The redirect form this element put into the page (removed if the page comes back from bfcache). */
  private form?: HTMLFormElement;

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('pageshow', this.handlePageShow);
    document.addEventListener('visibilitychange', this.handleVisibilityChange);
    this.resume();
  }

  // `id` is part of the storage key, so watch it too. A global attribute, not one of the element's
  // own: added with concat, not in an array literal, so the manifest does not list it as one.
  static override get observedAttributes(): string[] {
    return super.observedAttributes.concat('id');
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    this.requestUpdate(); // for id; Lit's own attributes have asked for one already
  }

  override willUpdate(): void {
    // Frameworks often set bff, sku, items, order-token or id after connecting: look again under the new
    // key. (Lit also updates a removed element: that one follows nothing.)
    if (this.isConnected && this.phase === 'idle' && this.storageKey() !== this.resumedKey) this.resume();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('pageshow', this.handlePageShow);
    document.removeEventListener('visibilitychange', this.handleVisibilityChange);
  }

  override render() {
    const s = stringsFor(this.locale);
    const busy = this.phase === 'creating' || this.phase === 'redirecting';
    const amount = formatRupiah(this.payment?.amount ?? 0);
    const statusText = {
      idle: '',
      creating: s.preparing,
      redirecting: s.redirecting,
      pending: s.pending(amount),
      success: s.success(amount),
      failure: this.payment?.status === 'EXPIRED' ? s.expired : s.failed,
    }[this.phase];
    const message = this.errorCode ? (s.errors[this.errorCode] ?? s.errors.generic) : '';
    const label = this.phase === 'success' ? s.paid : this.phase === 'failure' ? s.payAgain : this.label || s.pay;
    return html`<div lang=${this.locale === 'en' ? 'en' : 'id'}>
      <button
        part="button"
        type="button"
        ?disabled=${this.phase === 'success'}
        aria-busy=${busy ? 'true' : 'false'}
        aria-disabled=${busy ? 'true' : nothing}
        @click=${this.handleClick}
      >
        ${label}
      </button>
      <div role="status">
        <p part="status" ?hidden=${!statusText}>${statusText}</p>
        <p part="message" ?hidden=${!message}>${message}</p>
      </div>
    </div>`;
  }

  /** One way out for every event: bubbling and crossing the shadow boundary. Returns false if canceled. */
  private emit(name: string, detail: unknown, cancelable = false): boolean {
    return this.dispatchEvent(
      new CustomEvent(`linkaja-pay:${name}`, { detail, bubbles: true, composed: true, cancelable }),
    );
  }

  private order(): OrderBody | undefined {
    if (this.orderToken) return { order_token: this.orderToken };
    // items comes from page JSON: anything but a non-empty array of objects is no order (an error on click).
    const items = this.items ?? (this.sku ? [{ sku: this.sku, quantity: this.quantity }] : []);
    if (!Array.isArray(items) || !items.length || !items.every((i) => i && typeof i === 'object')) return undefined;
    return { items: items.map(({ sku, quantity }) => ({ sku, quantity: quantity ?? 1 })) };
  }

  /**
   * Where this element keeps its pending payment: per BFF, page path and element (its id, else its
   * order). Order tokens are signed afresh on every render, so for them the order is just 'order-token'.
   */
  private storageKey(): string {
    const identity = this.id || (this.orderToken ? 'order-token' : JSON.stringify(this.order() ?? ''));
    return pendingKey(normaliseBff(this.bff), location.pathname, identity);
  }

  private async handleClick(): Promise<void> {
    if (this.phase === 'creating' || this.phase === 'redirecting' || this.phase === 'success') return;
    const order = this.order();
    if (!order)
      return this.fail(
        new BffError('invalid_attributes', 'Set sku (and quantity), items or order-token on <linkaja-pay>.'),
      );
    const bff = normaliseBff(this.bff);
    const key = this.storageKey();
    this.status.stop();
    this.errorCode = '';
    this.payment = undefined;
    this.phase = 'creating';
    try {
      const body = { ...order, return_url: location.href.split('#')[0] } as CreatePaymentRequest;
      const created = await createPayment(bff, body);
      // Removed meanwhile (a re-render, a closed dialog): no record, no redirect for a page that moved on.
      if (!this.isConnected) {
        this.phase = 'idle';
        return;
      }
      const { invoice_number, amount, expires_at, redirect } = created;
      this.payment = { invoice_number, amount };
      this.emit('created', { invoice_number, amount, expires_at });
      const pending: PendingPayment = { invoice: invoice_number, status_token: created.status_token, bff, amount };
      writePending(key, pending);
      const form = buildRedirectForm(redirect);
      if (!this.emit('redirect', { invoice_number, redirect, form }, true)) {
        // The merchant takes the customer to LinkAja itself (a new tab, say): follow the payment from here.
        this.follow(key, pending);
        return;
      }
      this.phase = 'redirecting';
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
      this.phase = 'idle';
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    const error = e instanceof BffError ? e : new BffError('internal_error', String(e));
    this.errorCode = error.code;
    this.emit('error', { code: error.code, message: error.message });
  }

  private follow(key: string, pending: PendingPayment): void {
    this.followedKey = key;
    this.payment = { invoice_number: pending.invoice, amount: pending.amount };
    this.phase = 'pending';
    this.status.follow(pending);
  }

  /** Pick up a payment this page (or an earlier load of it) sent to LinkAja. */
  private resume(): void {
    if (this.phase === 'creating' || this.phase === 'redirecting') return;
    const key = (this.resumedKey = this.storageKey());
    const pending = readPending(key);
    if (!pending) return;
    if (this.status.active && this.payment?.invoice_number === pending.invoice) this.status.recheck();
    else this.follow(key, pending);
  }

  private handleStatus(s: PaymentStatusResponse): void {
    const { invoice_number, status, amount } = s;
    this.errorCode = ''; // the BFF answered: an earlier network error no longer applies
    if (this.payment?.invoice_number === invoice_number && this.payment.status === status) return;
    this.payment = { invoice_number, amount, status };
    const detail = { invoice_number, status, amount };
    this.emit('status', detail);
    if (status === 'PENDING') {
      this.phase = 'pending';
      return;
    }
    clearPending(this.followedKey);
    this.phase = status === 'SUCCESS' ? 'success' : 'failure';
    this.emit(status === 'SUCCESS' ? 'success' : 'failure', detail);
  }

  private readonly handlePageShow = (e: PageTransitionEvent): void => {
    // A fresh load was handled on connect; this is a page restored from the back/forward cache,
    // as we left it: mid-redirect, or following a payment whose stream the browser closed.
    if (!e.persisted) return;
    if (this.phase === 'redirecting') {
      this.form?.remove();
      this.form = undefined;
      this.phase = 'idle';
    }
    this.resume();
  };

  private readonly handleVisibilityChange = (): void => {
    if (document.visibilityState === 'visible') this.resume();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'linkaja-pay': LinkajaPay;
  }
}
