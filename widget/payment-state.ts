// What the element shows is this state, and this function is the only way it changes: pure, so each
// transition is tested on its own. The controller beside it does the I/O and dispatches the actions.
import type { PaymentStatus, PaymentStatusResponse, Redirect } from '../shared/api.ts';

export type Phase = 'idle' | 'creating' | 'redirecting' | 'pending' | 'success' | 'failure';

/** The payment the element is about: known once the BFF created it (or a return picked it up). */
export interface Invoice {
  invoice_number: string;
  /** 0 until the first status read of a payment found through the return URL. */
  amount: number;
  /** The last status learned; none before the first read. */
  status?: PaymentStatus;
  /** Until when LinkAja takes it (the BFF's expires_at); unknown for a payment found through the return URL. */
  expires_at?: string;
  /** DOKU's redirect, held while the payment is pending: "continue payment" goes there again. */
  redirect?: Redirect;
  /** Which cart it pays for (the host's fingerprint of its order); unknown for a payment found through the return URL. */
  cart?: string;
  /** How often the customer was sent to its LinkAja page. */
  uses?: number;
}

export interface PaymentState {
  phase: Phase;
  invoice?: Invoice;
  /** The last error's code, shown until the next attempt or the BFF's next answer; '' for none. */
  errorCode: string;
}

/** What a click is judged against: the host's cart now, and the time. */
export interface ClickContext {
  cart: string;
  now: number;
}

export type PaymentAction =
  /** The pay button was clicked: continue the pending payment of this cart, else ask for a new one. */
  | ({ type: 'click' } & ClickContext)
  /** The BFF created it, and the customer is on the way to LinkAja in this page. */
  | { type: 'redirect'; invoice: Invoice }
  /** The merchant takes the customer to LinkAja (canceled redirect): follow the payment from here. */
  | { type: 'handover'; invoice: Invoice }
  /** A payment this page sent to LinkAja was found again (a return, a page shown again): follow it. */
  | { type: 'follow'; invoice: Invoice }
  /** A status read of the payment being followed (after a failure too: a late SUCCESS). */
  | { type: 'status'; status: PaymentStatusResponse }
  /** `fatal`: the attempt is over (create or redirect failed, the BFF does not know the payment). */
  | { type: 'error'; code: string; fatal: boolean }
  /** The attempt was left behind: removed mid-create, or back from LinkAja through the back/forward cache. */
  | { type: 'reset' };

export const initialState: PaymentState = { phase: 'idle', errorCode: '' };

/** Creating or redirecting: clicks wait, and nothing is picked up meanwhile. */
export const isBusy = ({ phase }: PaymentState): boolean => phase === 'creating' || phase === 'redirecting';

/** A click may start a payment: not while one is under way, nor once paid. */
export const canPay = (state: PaymentState): boolean => !isBusy(state) && state.phase !== 'success';

/**
 * What a click does now. While a pending payment stands for this cart (made for it, or for a cart
 * unknown, and not expired) a click never creates a second one: it goes to that payment's LinkAja page
 * again (`continue`), or, for one found through the return URL whose page is not known here, does nothing
 * until the result comes (`wait`). Whether LinkAja opens a payment twice is unconfirmed: once a second
 * visit came back unpaid the element says so, and the click starts a new payment (`reopen`).
 * Otherwise it starts one (`pay`).
 */
export type Offer = 'pay' | 'continue' | 'wait' | 'reopen';

export function offerOf({ phase, invoice }: PaymentState, { cart, now }: ClickContext): Offer {
  // Date.parse of no date is NaN, which no time is past.
  if (phase !== 'pending' || !invoice || now >= Date.parse(invoice.expires_at ?? '')) return 'pay';
  if (invoice.cart !== undefined && invoice.cart !== cart) return 'pay';
  return !invoice.redirect ? 'wait' : (invoice.uses ?? 0) < 2 ? 'continue' : 'reopen';
}

/** The next state; the same object when the action does not apply in this one. */
export function transition(state: PaymentState, action: PaymentAction): PaymentState {
  switch (action.type) {
    case 'click': {
      const offer = offerOf(state, action);
      const invoice = state.invoice!;
      if (!canPay(state) || offer === 'wait') return state;
      return offer === 'continue'
        ? { phase: 'redirecting', invoice: { ...invoice, uses: (invoice.uses ?? 0) + 1 }, errorCode: '' }
        : { phase: 'creating', errorCode: '' };
    }
    case 'redirect':
      return state.phase === 'creating' ? { ...state, phase: 'redirecting', invoice: action.invoice } : state;
    case 'handover':
      return isBusy(state) ? { ...state, phase: 'pending', invoice: action.invoice } : state;
    case 'follow':
      return isBusy(state) ? state : { ...state, phase: 'pending', invoice: action.invoice };
    case 'status': {
      const { invoice_number, amount, status } = action.status;
      const same = state.invoice?.invoice_number === invoice_number;
      // After a failure, only a late SUCCESS of that same payment moves it (DOKU took the money).
      if (state.phase !== 'pending' && !(state.phase === 'failure' && same && status === 'SUCCESS')) return state;
      // The BFF answered: an earlier network error no longer applies, whether or not the status is new.
      if (same && state.invoice!.status === status) return { ...state, errorCode: '' };
      const phase = status === 'PENDING' ? 'pending' : status === 'SUCCESS' ? 'success' : 'failure';
      return { phase, invoice: { ...(same ? state.invoice : {}), invoice_number, amount, status }, errorCode: '' };
    }
    case 'error':
      return { ...state, phase: action.fatal ? 'idle' : state.phase, errorCode: action.code };
    case 'reset':
      return isBusy(state) ? { ...state, phase: 'idle' } : state;
  }
}
