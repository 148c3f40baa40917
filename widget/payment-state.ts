// What the element shows is this state, and this function is the only way it changes: pure, so each
// transition is tested on its own. The controller beside it does the I/O and dispatches the actions.
import type { PaymentStatus, PaymentStatusResponse } from '../shared/api.ts';

export type Phase = 'idle' | 'creating' | 'redirecting' | 'pending' | 'success' | 'failure';

/** The payment the element is about: known once the BFF created it (or a return picked it up). */
export interface Invoice {
  invoice_number: string;
  amount: number;
  /** The last status learned; none before the first read. */
  status?: PaymentStatus;
}

export interface PaymentState {
  phase: Phase;
  invoice?: Invoice;
  /** The last error's code, shown until the next attempt or the BFF's next answer; '' for none. */
  errorCode: string;
}

export type PaymentAction =
  /** Pay was clicked (with a valid order): a new payment is asked for. */
  | { type: 'create' }
  /** The BFF created it, and the customer is on the way to LinkAja in this page. */
  | { type: 'redirect'; invoice: Invoice }
  /** The BFF created it, and the merchant takes the customer to LinkAja (canceled redirect): follow it from here. */
  | { type: 'handover'; invoice: Invoice }
  /** A payment this page sent to LinkAja was found again (a return, a page shown again): follow it. */
  | { type: 'follow'; invoice: Invoice }
  /** A status read of the payment being followed. */
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

/** The next state; the same object when the action does not apply in this one. */
export function transition(state: PaymentState, action: PaymentAction): PaymentState {
  switch (action.type) {
    case 'create':
      return canPay(state) ? { phase: 'creating', errorCode: '' } : state;
    case 'redirect':
      return state.phase === 'creating' ? { ...state, phase: 'redirecting', invoice: action.invoice } : state;
    case 'handover':
      return state.phase === 'creating' ? { ...state, phase: 'pending', invoice: action.invoice } : state;
    case 'follow':
      return isBusy(state) ? state : { ...state, phase: 'pending', invoice: action.invoice };
    case 'status': {
      if (state.phase !== 'pending') return state;
      const { invoice_number, amount, status } = action.status;
      // The BFF answered: an earlier network error no longer applies, whether or not the status is new.
      if (state.invoice?.invoice_number === invoice_number && state.invoice.status === status)
        return { ...state, errorCode: '' };
      const phase = status === 'PENDING' ? 'pending' : status === 'SUCCESS' ? 'success' : 'failure';
      return { phase, invoice: { invoice_number, amount, status }, errorCode: '' };
    }
    case 'error':
      return { ...state, phase: action.fatal ? 'idle' : state.phase, errorCode: action.code };
    case 'reset':
      return isBusy(state) ? { ...state, phase: 'idle' } : state;
  }
}
