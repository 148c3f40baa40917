// The <linkaja-pay> element: its attributes and rendering. The payment's state and the I/O that changes
// it are PaymentController's; styles, strings, events and BFF calls live in their own modules beside it.
import { LitElement, html, nothing, type PropertyDeclarations } from 'lit';
import type { CartItem, CreatePaymentRequest } from '../shared/api.ts';
import { normaliseBff } from './bff-client.ts';
import styles from './linkaja-pay.styles.ts';
import { formatRupiah, stringsFor, type Locale } from './localize.ts';
import { PaymentController } from './payment-controller.ts';
import { isBusy } from './payment-state.ts';
import { pendingKey } from './pending-payment.ts';

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

  /** The payment: its phase and invoice, and everything that changes them. */
  private readonly payment = new PaymentController(this, () => this.storageKey());

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
    const { state } = this.payment;
    const { phase, invoice, errorCode } = state;
    const s = stringsFor(this.locale);
    const busy = isBusy(state);
    const amount = formatRupiah(invoice?.amount ?? 0);
    const statusText = {
      idle: '',
      creating: s.preparing,
      redirecting: s.redirecting,
      pending: s.pending(amount),
      success: s.success(amount),
      failure: invoice?.status === 'EXPIRED' ? s.expired : s.failed,
    }[phase];
    const message = errorCode ? (s.errors[errorCode] ?? s.errors.generic) : '';
    const label = phase === 'success' ? s.paid : phase === 'failure' ? s.payAgain : this.label || s.pay;
    return html`<div lang=${this.locale === 'en' ? 'en' : 'id'}>
      <button
        part="button"
        type="button"
        ?disabled=${phase === 'success'}
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

  private handleClick(): void {
    const order = this.order();
    const body = order && ({ ...order, return_url: location.href.split('#')[0] } as CreatePaymentRequest);
    void this.payment.pay(body, normaliseBff(this.bff));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'linkaja-pay': LinkajaPay;
  }
}
