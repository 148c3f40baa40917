// The payment's transitions, one by one: the pure function every state change of the element goes through.
import { expect } from '@open-wc/testing';
import type { PaymentStatusResponse } from '../../shared/api.ts';
import {
  canPay,
  initialState,
  isBusy,
  transition,
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
const inPhase = (phase: Phase, errorCode = 'network_error'): PaymentState =>
  Object.freeze({ phase, invoice, errorCode });

/** The phases in which `action` applies (the others return the very same state). */
const appliesIn = (action: PaymentAction): Phase[] =>
  PHASES.filter((phase) => {
    const state = inPhase(phase);
    return transition(state, action) !== state;
  });

describe('payment transitions', () => {
  it('starts idle, with no invoice and no error', () => {
    expect(initialState).to.deep.equal({ phase: 'idle', errorCode: '' });
  });

  it('is busy while creating or redirecting, and may pay unless busy or paid', () => {
    expect(PHASES.filter((p) => isBusy(inPhase(p)))).to.deep.equal(['creating', 'redirecting']);
    expect(PHASES.filter((p) => canPay(inPhase(p)))).to.deep.equal(['idle', 'pending', 'failure']);
  });

  it('create: a fresh attempt, with no invoice and no error, from any phase that may pay', () => {
    expect(appliesIn({ type: 'create' })).to.deep.equal(['idle', 'pending', 'failure']);
    for (const phase of ['idle', 'pending', 'failure'] as const)
      expect(transition(inPhase(phase), { type: 'create' })).to.deep.equal({ phase: 'creating', errorCode: '' });
  });

  it('redirect and handover: only from creating, with the created invoice', () => {
    const creating: PaymentState = { phase: 'creating', errorCode: '' };
    expect(appliesIn({ type: 'redirect', invoice: other })).to.deep.equal(['creating']);
    expect(appliesIn({ type: 'handover', invoice: other })).to.deep.equal(['creating']);
    expect(transition(creating, { type: 'redirect', invoice })).to.deep.equal({
      phase: 'redirecting',
      invoice,
      errorCode: '',
    });
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

  it('status: only while pending; PENDING stays pending, SUCCESS is success, FAILED and EXPIRED are failure', () => {
    expect(appliesIn({ type: 'status', status: statusOf('SUCCESS') })).to.deep.equal(['pending']);
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
