// Finding the pending payment again on return: which record is whose (the key), and an element
// whose attributes arrive only after it is connected (as frameworks set them).
import { expect } from '@open-wc/testing';
import type { LinkajaPay } from '../../widget/linkaja-pay.ts';
import { BFF, eventWithin, mount, partText, payUntilRedirect, sleep, signOrderToken } from './helpers.ts';

type StatusDetail = { invoice_number: string; status: string; amount: number };

afterEach(() => sessionStorage.clear());

/** A fresh element (as on a new page load) with these properties, and every status it reports. */
function place(props: Partial<LinkajaPay>) {
  const el = Object.assign(document.createElement('linkaja-pay'), props);
  const statuses: StatusDetail[] = [];
  el.addEventListener('linkaja-pay:status', (e) => statuses.push((e as CustomEvent<StatusDetail>).detail));
  document.body.append(el);
  return { el, statuses };
}

/** Pays with an element and leaves for LinkAja (the element goes): the invoice it left pending. */
async function payAndLeave(attrs: Record<string, string>): Promise<string> {
  const el = await mount(attrs);
  const { created } = await payUntilRedirect(el);
  el.remove();
  return created.detail.invoice_number;
}

describe('<linkaja-pay> resume', () => {
  it('finds its payment again although the merchant signed a fresh order token for this load', async () => {
    const cart = [{ name: 'Paket Hemat', price: 49000, quantity: 1 }];
    const first = await signOrderToken(cart, 600);
    const invoice = await payAndLeave({ bff: BFF, 'order-token': first });
    const fresh = await signOrderToken(cart, 900);
    expect(fresh).to.not.equal(first);
    const { el } = place({ bff: BFF, orderToken: fresh });
    const status = await eventWithin<StatusDetail>(el, 'linkaja-pay:status', 5000);
    expect(status.detail).to.include({ invoice_number: invoice, status: 'PENDING', amount: 49000 });
    el.remove();
  });

  it('keeps the same element on two pages of one site apart', async () => {
    const invoice = await payAndLeave({ bff: BFF, sku: 'kopi-susu' });
    const here = location.href;
    history.replaceState(history.state, '', '/another/page.html');
    try {
      const { el, statuses } = place({ bff: BFF, sku: 'kopi-susu' });
      await sleep(500);
      await el.updateComplete;
      expect(statuses, 'statuses on the other page').to.deep.equal([]);
      expect(partText(el, 'status')).to.equal('');
      el.remove();
    } finally {
      history.replaceState(history.state, '', here);
    }
    // Back on the page that paid, it is found.
    const { el } = place({ bff: BFF, sku: 'kopi-susu' });
    expect((await eventWithin<StatusDetail>(el, 'linkaja-pay:status', 5000)).detail.invoice_number).to.equal(invoice);
    el.remove();
  });

  it('picks a payment up when its attributes (or id) are set after it was connected', async () => {
    const invoice = await payAndLeave({ bff: BFF, sku: 'nasi-goreng' });
    const late = place({});
    await late.el.updateComplete;
    expect(late.statuses).to.deep.equal([]);
    const found = eventWithin<StatusDetail>(late.el, 'linkaja-pay:status', 5000);
    Object.assign(late.el, { bff: BFF, sku: 'nasi-goreng' });
    expect((await found).detail.invoice_number).to.equal(invoice);
    late.el.remove();

    const withId = await payAndLeave({ bff: BFF, sku: 'rendang', id: 'cart' });
    const unnamed = place({ bff: BFF, sku: 'rendang' });
    await sleep(200);
    expect(unnamed.statuses, 'before the id is set').to.deep.equal([]);
    const named = eventWithin<StatusDetail>(unnamed.el, 'linkaja-pay:status', 5000);
    unnamed.el.id = 'cart';
    expect((await named).detail.invoice_number).to.equal(withId);
    unnamed.el.remove();
  });
});
