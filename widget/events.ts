// The element's events and their details, typed for the element's own emit() and, through
// GlobalEventHandlersEventMap, for a merchant's addEventListener('linkaja-pay:success', (e) => e.detail...).
import type { CreatePaymentResponse, PaymentStatusResponse } from '../shared/api.ts';

/** A status the element learned: the detail of `status`, `success` and `failure`. */
export type LinkajaPayStatusDetail = Pick<PaymentStatusResponse, 'invoice_number' | 'status' | 'amount'>;

/** Each event's name and its `detail`. */
export interface LinkajaPayEventDetails {
  'linkaja-pay:created': Pick<CreatePaymentResponse, 'invoice_number' | 'amount' | 'expires_at'>;
  'linkaja-pay:redirect': Pick<CreatePaymentResponse, 'invoice_number' | 'redirect'> & { form: HTMLFormElement };
  'linkaja-pay:status': LinkajaPayStatusDetail;
  'linkaja-pay:success': LinkajaPayStatusDetail;
  'linkaja-pay:failure': LinkajaPayStatusDetail;
  'linkaja-pay:error': { code: string; message: string };
}

export type LinkajaPayEventName = keyof LinkajaPayEventDetails;
export type LinkajaPayEvent<K extends LinkajaPayEventName> = CustomEvent<LinkajaPayEventDetails[K]>;

declare global {
  interface GlobalEventHandlersEventMap {
    'linkaja-pay:created': LinkajaPayEvent<'linkaja-pay:created'>;
    'linkaja-pay:redirect': LinkajaPayEvent<'linkaja-pay:redirect'>;
    'linkaja-pay:status': LinkajaPayEvent<'linkaja-pay:status'>;
    'linkaja-pay:success': LinkajaPayEvent<'linkaja-pay:success'>;
    'linkaja-pay:failure': LinkajaPayEvent<'linkaja-pay:failure'>;
    'linkaja-pay:error': LinkajaPayEvent<'linkaja-pay:error'>;
  }
}

/** One way out for every event: bubbling and crossing the shadow boundary. Returns false if canceled. */
export const emit = <K extends LinkajaPayEventName>(
  target: EventTarget,
  name: K,
  detail: LinkajaPayEventDetails[K],
  cancelable = false,
): boolean => target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable }));
