// <linkaja-pay>: rendering, attributes, accessibility and the error paths, against the real BFF.
import { expect } from '@open-wc/testing';
import { formatRupiah } from '../../widget/localize.ts';
import { BFF, buttonOf, eventWithin, mount, partText, payUntilRedirect, pendingKeys } from './helpers.ts';

afterEach(() => sessionStorage.clear());

describe('<linkaja-pay> rendering', () => {
  it('renders one native button in Indonesian by default, accessible', async () => {
    const el = await mount({ bff: BFF, sku: 'kopi-susu' });
    const buttons = el.shadowRoot!.querySelectorAll('button');
    expect(buttons.length).to.equal(1);
    expect(buttons[0].getAttribute('part')).to.equal('button');
    expect(buttons[0].type).to.equal('button');
    expect(buttons[0].textContent.trim()).to.equal('Bayar dengan LinkAja');
    expect(el.shadowRoot!.querySelector('[lang]')!.getAttribute('lang')).to.equal('id');
    expect(el.shadowRoot!.querySelector('[role="status"] [part="status"]')).to.exist;
    expect(el.shadowRoot!.querySelector('[role="status"] [part="message"]')).to.exist;
    await expect(el).to.be.accessible();
  });

  it('speaks English with locale="en", and a label replaces the default text', async () => {
    const el = await mount({ bff: BFF, sku: 'kopi-susu', locale: 'en' });
    expect(buttonOf(el).textContent.trim()).to.equal('Pay with LinkAja');
    expect(el.shadowRoot!.querySelector('[lang]')!.getAttribute('lang')).to.equal('en');
    el.label = 'Bayar kopi';
    await el.updateComplete;
    expect(buttonOf(el).textContent.trim()).to.equal('Bayar kopi');
    el.setAttribute('locale', 'xx');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[lang]')!.getAttribute('lang')).to.equal('id');
  });

  it('reads its attributes into properties', async () => {
    const el = await mount({
      bff: `${BFF}/`,
      sku: 'rendang',
      quantity: '3',
      'order-token': 'tok',
      items: '[{"sku":"a","quantity":2}]',
    });
    expect(el.bff).to.equal(`${BFF}/`);
    expect(el.sku).to.equal('rendang');
    expect(el.quantity).to.equal(3);
    expect(el.orderToken).to.equal('tok');
    expect(el.items).to.deep.equal([{ sku: 'a', quantity: 2 }]);
  });

  it('is LinkAja red by default and themable through --linkaja-pay-* properties', async () => {
    const el = await mount({ bff: BFF, sku: 'kopi-susu' });
    expect(getComputedStyle(buttonOf(el)).backgroundColor).to.equal('rgb(232, 33, 39)');
    el.style.setProperty('--linkaja-pay-color', 'rgb(0, 0, 128)');
    expect(getComputedStyle(buttonOf(el)).backgroundColor).to.equal('rgb(0, 0, 128)');
  });

  it('is not displayed while hidden', async () => {
    const el = await mount({ bff: BFF, sku: 'kopi-susu' });
    el.hidden = true;
    expect(getComputedStyle(el).display).to.equal('none');
    el.hidden = false;
    expect(getComputedStyle(el).display).to.equal('inline-block');
  });

  it('formats amounts the Indonesian way', () => {
    expect(formatRupiah(27500)).to.equal('Rp 27.500');
    expect(formatRupiah(1234567)).to.equal('Rp 1.234.567');
    expect(formatRupiah(500)).to.equal('Rp 500');
  });
});

describe('<linkaja-pay> errors', () => {
  it('says so when the BFF cannot be reached, and the button stays usable', async () => {
    const el = await mount({ bff: 'http://127.0.0.1:9', sku: 'kopi-susu', locale: 'en' });
    const error = eventWithin<{ code: string; message: string }>(el, 'linkaja-pay:error');
    buttonOf(el).click();
    await el.updateComplete;
    expect(buttonOf(el).getAttribute('aria-busy')).to.equal('true');
    const { detail } = await error;
    await el.updateComplete;
    expect(detail.code).to.equal('network_error');
    expect(detail.message).to.be.a('string').and.not.empty;
    expect(partText(el, 'message')).to.contain("Couldn't reach the payment server");
    expect(buttonOf(el).getAttribute('aria-busy')).to.equal('false');
    expect(buttonOf(el).disabled).to.equal(false);
    expect(pendingKeys()).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('passes on the BFF error for an unknown SKU (400) in the customer’s language', async () => {
    const el = await mount({ bff: BFF, sku: 'no-such-thing' });
    const error = eventWithin<{ code: string; message: string }>(el, 'linkaja-pay:error');
    buttonOf(el).click();
    const { detail } = await error;
    await el.updateComplete;
    expect(detail.code).to.equal('unknown_sku');
    expect(detail.message).to.contain('no-such-thing');
    expect(partText(el, 'message')).to.equal('Produk ini tidak tersedia.');
    await expect(el).to.be.accessible();
    // The button works again: the next click asks the BFF again.
    const again = eventWithin(el, 'linkaja-pay:error');
    buttonOf(el).click();
    await again;
  });

  it('refuses to ask the BFF without an order', async () => {
    const el = await mount({ bff: BFF });
    const error = eventWithin<{ code: string }>(el, 'linkaja-pay:error', 1000);
    buttonOf(el).click();
    expect((await error).detail.code).to.equal('invalid_attributes');
  });

  it('refuses an items attribute that is not a list of items, without breaking the page', async () => {
    for (const items of ['{"sku":"kopi-susu","quantity":1}', '[null]', '[]']) {
      const el = await mount({ bff: BFF, items });
      expect(buttonOf(el).textContent.trim()).to.equal('Bayar dengan LinkAja');
      const error = eventWithin<{ code: string }>(el, 'linkaja-pay:error', 1000);
      buttonOf(el).click();
      expect((await error).detail.code, items).to.equal('invalid_attributes');
    }
    expect(pendingKeys()).to.deep.equal([]);
  });

  it('clears a network error shown while following once the BFF answers again', async () => {
    const saved = { fetch: window.fetch, EventSource: window.EventSource };
    // @ts-expect-error: no server-sent events, so the element polls and meets the outage below
    delete window.EventSource;
    let reads = 0;
    window.fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      const isStatusRead = (init?.method ?? 'GET') === 'GET' && url.startsWith(`${BFF}/api/payments/`);
      // The first read sees PENDING, the second meets an outage, the third sees PENDING again.
      if (isStatusRead && ++reads === 2) return Promise.reject(new TypeError('Failed to fetch'));
      return saved.fetch.call(window, input, init);
    };
    try {
      const el = await mount({ bff: BFF, sku: 'kopi-susu', locale: 'en' });
      const error = eventWithin<{ code: string }>(el, 'linkaja-pay:error', 4000);
      await payUntilRedirect(el);
      expect((await error).detail.code).to.equal('network_error');
      await el.updateComplete;
      expect(partText(el, 'message')).to.contain("Couldn't reach the payment server");
      const deadline = Date.now() + 5000; // the next read comes 2 s after the failed one
      while (reads < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 50));
      await el.updateComplete;
      expect(reads).to.equal(3);
      expect(partText(el, 'message')).to.equal('');
      expect(partText(el, 'status')).to.contain('Waiting for confirmation');
      el.remove();
    } finally {
      window.fetch = saved.fetch;
      window.EventSource = saved.EventSource;
    }
  });

  it('forgets a pending payment the BFF does not know (404), with an error', async () => {
    const el = await mount({ bff: BFF, sku: 'kopi-susu', id: 'ghost' });
    const { created } = await payUntilRedirect(el);
    const key = pendingKeys()[0];
    el.remove();
    const record = JSON.parse(sessionStorage.getItem(key)!);
    sessionStorage.setItem(key, JSON.stringify({ ...record, status_token: 'wrong-token' }));
    const again = document.createElement('linkaja-pay');
    Object.assign(again, { bff: BFF, sku: 'kopi-susu', id: 'ghost' });
    const error = eventWithin<{ code: string }>(again, 'linkaja-pay:error');
    document.body.append(again);
    expect((await error).detail.code).to.equal('not_found');
    expect(sessionStorage.getItem(key)).to.equal(null);
    expect(created.detail).to.not.have.property('status_token');
    again.remove();
  });
});
