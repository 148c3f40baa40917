// The <linkaja-pay> element: its attributes and rendering. The payment's state and the I/O that changes
// it are PaymentController's; styles, strings, events and BFF calls live in their own modules beside it.
import { LitElement, html, nothing, type PropertyDeclarations } from 'lit';
import type { CartItem } from '../shared/api.ts';
import { normaliseBff } from './bff-client.ts';
import styles from './linkaja-pay.styles.ts';
import { formatRupiah, stringsFor, type Locale } from './localize.ts';
import { cartOf, orderOf, requestOf } from './order.ts';
import { PaymentController } from './payment-controller.ts';
import { isBusy, offerOf } from './payment-state.ts';
import { pendingKey } from './pending-payment.ts';

/**
 * A "Pay with LinkAja" button: asks the merchant's BFF for a payment, sends the customer to LinkAja,
 * and shows the result live when they come back (in this tab, or in any other through the return URL).
 * While the payment is pending it offers to continue it, never a second one. With `result` it shows
 * only the outcome of the payment the customer returns with (a thank-you page).
 *
 * @summary Pay with LinkAja through the merchant's BFF (DOKU).
 *
 * @event {LinkajaPayEvent<'linkaja-pay:created'>} linkaja-pay:created - A payment was created. detail: `{invoice_number, amount, expires_at}`.
 * @event {LinkajaPayEvent<'linkaja-pay:redirect'>} linkaja-pay:redirect - About to go to LinkAja; cancelable. detail: `{invoice_number, redirect, form}`.
 * @event {LinkajaPayEvent<'linkaja-pay:status'>} linkaja-pay:status - The payment's status changed. detail: `{invoice_number, status, amount}`.
 * @event {LinkajaPayEvent<'linkaja-pay:success'>} linkaja-pay:success - The payment succeeded. detail: `{invoice_number, status, amount}`.
 * @event {LinkajaPayEvent<'linkaja-pay:failure'>} linkaja-pay:failure - The payment failed or expired. detail: `{invoice_number, status, amount}`.
 * @event {LinkajaPayEvent<'linkaja-pay:error'>} linkaja-pay:error - The BFF could not be reached or refused. detail: `{code, message}`.
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
  // Reactive properties declared here, not with decorators: the decorator helper and Lit's decorator
  // module cost about 0.37 KB gzip of a budgeted bundle. The fields below hold the defaults and the docs
  // the manifest reads; tsconfig's useDefineForClassFields: false keeps their initialisers going through
  // Lit's accessors.
  static override properties: PropertyDeclarations = {
    bff: {},
    sku: {},
    quantity: { type: Number },
    items: { type: Array },
    orderToken: { attribute: 'order-token' },
    locale: { reflect: true },
    label: {},
    customerName: { attribute: 'customer-name' },
    customerEmail: { attribute: 'customer-email' },
    customerPhone: { attribute: 'customer-phone' },
    result: { type: Boolean },
  };

  /** Base URL of the merchant's BFF; empty means this page's own origin. */
  bff = '';
  /** The catalog SKU to pay for (with `quantity`). */
  sku = '';
  /** How many of `sku`. */
  quantity = 1;
  /** A whole cart as JSON, `[{"sku","quantity"}]`, instead of `sku`. */
  items: CartItem[] | undefined = undefined;
  /** An order token signed by the merchant's backend, instead of `sku` or `items`. */
  orderToken = '';
  /** Language of the element's text: `id` (default) or `en`. */
  locale: Locale = 'id';
  /** Button text instead of the default. */
  label = '';
  /** The customer's name, for DOKU (optional; the BFF validates it). */
  customerName = '';
  /** The customer's email, for DOKU (optional; the BFF validates it). */
  customerEmail = '';
  /** The customer's phone: `08…`, `+628…` or `628…` (optional; the BFF validates and normalises it). */
  customerPhone = '';
  /** Show only the outcome of the payment the customer returns with: no button (a thank-you page). */
  result = false;

  /** The payment: its phase and invoice, and everything that changes them. */
  readonly #payment = new PaymentController(this, {
    storageKey: () => this.#storageKey(),
    cart: () => cartOf(orderOf(this)),
    bff: () => normaliseBff(this.bff),
  });

  // `id` is part of the storage key, so watch it too. A global attribute, not one of the element's
  // own: added with concat, not in an array literal, so the manifest does not list it as one.
  static override get observedAttributes(): string[] {
    return super.observedAttributes.concat('id');
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    this.requestUpdate(); // for id; Lit's own attributes have asked for one already
  }

  override render() {
    const { state } = this.#payment;
    const { phase, invoice, errorCode } = state;
    const s = stringsFor(this.locale);
    const offer = offerOf(state, { cart: cartOf(orderOf(this)), now: Date.now() });
    // Busy too while waiting for a payment found on return: it cannot be continued, nor paid twice.
    const busy = isBusy(state) || offer === 'wait';
    const amount = formatRupiah(invoice?.amount ?? 0);
    const statusText = {
      idle: '',
      creating: s.preparing,
      redirecting: s.redirecting,
      // A payment found through the return URL: its amount is unknown until the first read.
      pending: offer === 'reopen' ? s.reopen : s.pending(invoice?.amount ? ` ${amount}` : ''),
      success: s.success(amount),
      failure: invoice?.status === 'EXPIRED' ? s.expired : s.failed,
    }[phase];
    const message = errorCode ? (s.errors[errorCode] ?? s.errors.generic) : '';
    const label =
      phase === 'success'
        ? s.paid
        : phase === 'failure'
          ? s.payAgain
          : offer === 'continue'
            ? s.continue
            : offer === 'reopen'
              ? s.newPayment
              : this.label || s.pay;
    // Each template on its own (none nested in another), so the build can squeeze its whitespace.
    const button = this.result
      ? nothing
      : html`<button
          part="button"
          type="button"
          ?disabled=${phase === 'success'}
          aria-busy=${busy ? 'true' : 'false'}
          aria-disabled=${busy ? 'true' : nothing}
          @click=${this.#handleClick}
        >
          ${label}
        </button>`;
    return html`<div lang=${this.locale === 'en' ? 'en' : 'id'}>
      ${button}
      <div role="status">
        <p part="status" ?hidden=${!statusText}>${statusText}</p>
        <p part="message" ?hidden=${!message}>${message}</p>
      </div>
    </div>`;
  }

  /**
   * Where this element keeps its pending payment: per BFF, page path and element (its id, else its
   * order). Order tokens are signed afresh on every render, so for them the order is just 'order-token'.
   */
  #storageKey(): string {
    const identity = this.id || (this.orderToken ? 'order-token' : JSON.stringify(orderOf(this) ?? ''));
    return pendingKey(normaliseBff(this.bff), location.pathname, identity);
  }

  #handleClick(): void {
    const order = orderOf(this);
    const customer = { name: this.customerName, email: this.customerEmail, phone: this.customerPhone };
    void this.#payment.pay(order && requestOf(order, customer, location.href.split('#')[0]));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'linkaja-pay': LinkajaPay;
  }
}
