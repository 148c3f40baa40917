// The payment's transitions, one by one: the pure function every state change of the element goes through.
import { expect } from '@open-wc/testing';
import type { PaymentStatusResponse } from '../../shared/api.ts';
import {
  canPay,
  initialState,
  isBusy,
  offerOf,
  transition,
  type ClickContext,
  type Invoice,
  type PaymentAction,
  type PaymentState,
  type Phase,
} from '../../widget/payment-state.ts';

const PHASES: Phase[] = ['idle', 'creating', 'redirecting', 'pending', 'success', 'failure'];
// Frozen: a transition that wrote into the state it was given would throw here.
const invoice: Invoice = Object.freeze({ invoice_number: 'INV-1', amount: 27500 });
const other: Invoice = Object.freeze({ invoice_number: 'INV-2', amount: 6000 });
const statusOf = (status: PaymentStatusResponse['status'], of: Invoice = invoice): PaymentStatusResponse => ({
  invoice_number: of.invoice_number,
  amount: of.amount,
  status,
  updated_at: '2025-01-01T00:00:00Z',
  reference: null,
});
/** A state in `phase` that carries an invoice and an error, so a transition that drops either shows. */
const inPhase = (phase: Phase, errorCode = 'network_error', of: Invoice = invoice): PaymentState =>
  Object.freeze({ phase, invoice: of, errorCode });

/** The phases in which `action` applies (the others return the very same state). */
const appliesIn = (action: PaymentAction): Phase[] =>
  PHASES.filter((phase) => {
    const state = inPhase(phase);
    return transition(state, action) !== state;
  });

const NOW = Date.parse('2025-01-01T10:00:00Z');
const redirect = Object.freeze({ method: 'POST', url: 'https://linkaja.example/pay', parameters: [] });
/** A payment this element created for cart "A": its LinkAja page is known, it expires at 10:15. */
const made: Invoice = Object.freeze({
  ...invoice,
  expires_at: '2025-01-01T10:15:00Z',
  redirect,
  cart: 'A',
  uses: 1,
});
const cartA: ClickContext = { cart: 'A', now: NOW };
const click = (context: ClickContext = cartA): PaymentAction => ({ type: 'click', ...context });

describe('payment transitions', () => {
  it('starts idle, with no invoice and no error', () => {
    expect(initialState).to.deep.equal({ phase: 'idle', errorCode: '' });
  });

  it('is busy while creating or redirecting, and may pay unless busy or paid', () => {
    expect(PHASES.filter((p) => isBusy(inPhase(p)))).to.deep.equal(['creating', 'redirecting']);
    expect(PHASES.filter((p) => canPay(inPhase(p)))).to.deep.equal(['idle', 'pending', 'failure']);
  });

  it('click: a fresh attempt, with no invoice and no error, when idle or after a failure', () => {
    // (A pending payment of this cart holds the click: see below.)
    expect(appliesIn(click())).to.deep.equal(['idle', 'failure']);
    for (const phase of ['idle', 'failure'] as const)
      expect(transition(inPhase(phase), click())).to.deep.equal({ phase: 'creating', errorCode: '' });
  });

  it("click on this cart's pending payment goes back to its LinkAja page: the same invoice, one more visit", () => {
    const pending = inPhase('pending', 'network_error', made);
    expect(offerOf(pending, cartA)).to.equal('continue');
    expect(transition(pending, click())).to.deep.equal({
      phase: 'redirecting',
      invoice: { ...made, uses: 2 },
      errorCode: '',
    });
  });

  it('click after a second visit came back unpaid starts a new payment (LinkAja may not open it again)', () => {
    const twice = inPhase('pending', '', { ...made, uses: 2 });
    expect(offerOf(twice, cartA)).to.equal('reopen');
    expect(transition(twice, click())).to.deep.equal({ phase: 'creating', errorCode: '' });
  });

  it('click creates a new payment once the pending one expired, or for another cart', () => {
    const pending = inPhase('pending', '', made);
    const expired = { cart: 'A', now: Date.parse(made.expires_at!) };
    expect(offerOf(pending, expired)).to.equal('pay');
    expect(transition(pending, click(expired))).to.deep.equal({ phase: 'creating', errorCode: '' });
    const otherCart = { cart: 'B', now: NOW };
    expect(offerOf(pending, otherCart)).to.equal('pay');
    expect(transition(pending, click(otherCart))).to.deep.equal({ phase: 'creating', errorCode: '' });
  });

  it('click does nothing while a payment found through the return URL is pending (its page is not known here)', () => {
    // Unknown cart and expiry: it stands for any cart, at any time, until its result comes.
    const found = inPhase('pending', '', invoice);
    for (const context of [cartA, { cart: 'B', now: NOW + 86_400_000 }]) {
      expect(offerOf(found, context)).to.equal('wait');
      expect(transition(found, click(context))).to.equal(found);
    }
  });

  it('offers only "pay" outside the pending phase', () => {
    for (const phase of PHASES.filter((p) => p !== 'pending'))
      expect(offerOf(inPhase(phase, '', made), cartA), phase).to.equal('pay');
  });

  it('redirect: only from creating, with the created invoice', () => {
    const creating: PaymentState = { phase: 'creating', errorCode: '' };
    expect(appliesIn({ type: 'redirect', invoice: other })).to.deep.equal(['creating']);
    expect(transition(creating, { type: 'redirect', invoice })).to.deep.equal({
      phase: 'redirecting',
      invoice,
      errorCode: '',
    });
  });

  it('handover: from creating, or from redirecting to continue; the merchant took the customer there', () => {
    const creating: PaymentState = { phase: 'creating', errorCode: '' };
    expect(appliesIn({ type: 'handover', invoice: other })).to.deep.equal(['creating', 'redirecting']);
    expect(transition(creating, { type: 'handover', invoice })).to.deep.equal({
      phase: 'pending',
      invoice,
      errorCode: '',
    });
  });

  it('follow: a found payment is followed from any phase but a busy one, and an error shown stays', () => {
    expect(appliesIn({ type: 'follow', invoice: other })).to.deep.equal(['idle', 'pending', 'success', 'failure']);
    expect(transition(inPhase('success'), { type: 'follow', invoice: other })).to.deep.equal({
      phase: 'pending',
      invoice: other,
      errorCode: 'network_error',
    });
  });

  it('status: while pending; PENDING stays pending, SUCCESS is success, FAILED and EXPIRED are failure', () => {
    expect(appliesIn({ type: 'status', status: statusOf('FAILED') })).to.deep.equal(['pending']);
    const expected: Record<PaymentStatusResponse['status'], Phase> = {
      PENDING: 'pending',
      SUCCESS: 'success',
      FAILED: 'failure',
      EXPIRED: 'failure',
    };
    for (const [status, phase] of Object.entries(expected) as [PaymentStatusResponse['status'], Phase][]) {
      expect(transition(inPhase('pending'), { type: 'status', status: statusOf(status) }), status).to.deep.equal({
        phase,
        invoice: { ...invoice, status },
        errorCode: '',
      });
    }
  });

  it('status: what the element holds of its payment (its LinkAja page, cart, expiry) stays with the status', () => {
    const next = transition(inPhase('pending', '', made), { type: 'status', status: statusOf('PENDING') });
    expect(next.invoice).to.deep.equal({ ...made, status: 'PENDING' });
    // A status of another payment replaces it whole.
    const replaced = transition(inPhase('pending', '', made), { type: 'status', status: statusOf('PENDING', other) });
    expect(replaced.invoice).to.deep.equal({ ...other, status: 'PENDING' });
  });

  it('status: a late SUCCESS of the failed payment makes it paid; nothing else moves a failure', () => {
    const failed = transition(inPhase('pending'), { type: 'status', status: statusOf('EXPIRED') });
    expect(transition(failed, { type: 'status', status: statusOf('SUCCESS') })).to.deep.equal({
      phase: 'success',
      invoice: { ...invoice, status: 'SUCCESS' },
      errorCode: '',
    });
    expect(transition(failed, { type: 'status', status: statusOf('SUCCESS', other) })).to.equal(failed);
    expect(transition(failed, { type: 'status', status: statusOf('PENDING') })).to.equal(failed);
    expect(transition(failed, { type: 'status', status: statusOf('FAILED') })).to.equal(failed);
  });

  it('status: the same status again changes nothing but clears an error (the BFF answered)', () => {
    const following = transition(inPhase('pending'), { type: 'status', status: statusOf('PENDING') });
    const failing = transition(following, { type: 'error', code: 'network_error', fatal: false });
    const again = transition(failing, { type: 'status', status: statusOf('PENDING') });
    expect(again).to.deep.equal({ phase: 'pending', invoice: { ...invoice, status: 'PENDING' }, errorCode: '' });
    expect(again.invoice, 'the same invoice object: nothing new to announce').to.equal(following.invoice);
    const paid = transition(again, { type: 'status', status: statusOf('SUCCESS') });
    expect(paid.invoice).to.not.equal(again.invoice);
  });

  it('error: shown in any phase; a fatal one ends the attempt (idle), the invoice stays', () => {
    for (const phase of PHASES) {
      expect(transition(inPhase(phase, ''), { type: 'error', code: 'gateway_error', fatal: false })).to.deep.equal(
        inPhase(phase, 'gateway_error'),
      );
      expect(transition(inPhase(phase, ''), { type: 'error', code: 'not_found', fatal: true })).to.deep.equal({
        phase: 'idle',
        invoice,
        errorCode: 'not_found',
      });
    }
  });

  it('reset: an attempt left behind (creating or redirecting) goes back to idle; nothing else moves', () => {
    expect(appliesIn({ type: 'reset' })).to.deep.equal(['creating', 'redirecting']);
    expect(transition(inPhase('redirecting', ''), { type: 'reset' })).to.deep.equal(inPhase('idle', ''));
  });
});
