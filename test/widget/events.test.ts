// The element's events as a merchant's TypeScript sees them (GlobalEventHandlersEventMap), and emit():
// the lines marked @ts-expect-error are checked by `npm run typecheck`, which fails if they compile.
import { expect } from '@open-wc/testing';
import { emit } from '../../widget/events.ts';
import { BFF, buttonOf, mount } from './helpers.ts';

describe('<linkaja-pay> events', () => {
  it('are typed for addEventListener by name, as a merchant listens', async () => {
    const el = await mount({ bff: BFF });
    const code = new Promise<string>((resolve) =>
      // e.detail.code compiles only because the event map is declared for every element.
      el.addEventListener('linkaja-pay:error', (e) => resolve(e.detail.code), { once: true }),
    );
    buttonOf(el).click();
    expect(await code).to.equal('invalid_attributes');
    document.createElement('linkaja-pay').addEventListener('linkaja-pay:success', (e) => {
      // @ts-expect-error: a success detail has no error code
      void e.detail.code;
    });
  });

  it('go out through emit(): bubbling, composed, cancelable only when asked, with the detail as given', () => {
    const target = document.createElement('div');
    document.body.append(target);
    const seen: Event[] = [];
    document.body.addEventListener('linkaja-pay:error', (e) => seen.push(e), { once: true });
    const detail = { code: 'network_error', message: 'offline' };
    expect(emit(target, 'linkaja-pay:error', detail)).to.equal(true);
    target.addEventListener('linkaja-pay:redirect', (e) => e.preventDefault(), { once: true });
    const form = document.createElement('form');
    const redirect = { method: 'POST', url: 'https://pay.example/', parameters: [] };
    const notCanceled = emit(target, 'linkaja-pay:redirect', { invoice_number: 'INV-1', redirect, form }, true);
    target.remove();
    expect(seen).to.have.length(1);
    const [event] = seen as CustomEvent[];
    expect([event.bubbles, event.composed, event.cancelable]).to.deep.equal([true, true, false]);
    expect(event.detail).to.equal(detail);
    expect(notCanceled, 'a canceled redirect').to.equal(false);
    // A detail that is not the event's own, or an event the element does not have, does not compile.
    // @ts-expect-error: an error's detail is {code, message}
    emit(target, 'linkaja-pay:error', { invoice_number: 'INV-1', status: 'PENDING', amount: 1 });
    // @ts-expect-error: there is no such event
    emit(target, 'linkaja-pay:paid', {});
  });
});
