// The demo shop's only script. It does what a merchant's page would: keep the element's `items`
// attribute in step with the quantity pickers, and show the element's results. Pricing is the
// BFF's job; the total shown here is only a preview.
const MAX_QUANTITY = 99;
const rupiah = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });
const formatRupiah = (n) => `Rp ${rupiah.format(n)}`;

const pay = document.getElementById('pay');
const totalEl = document.getElementById('total');
const emptyEl = document.getElementById('empty-cart');
const resultEl = document.getElementById('result');
const products = [...document.querySelectorAll('.product')];

function readCart() {
  const cart = [];
  let total = 0;
  for (const product of products) {
    const input = product.querySelector('.qty__input');
    const quantity = Math.min(MAX_QUANTITY, Math.max(0, Math.trunc(Number(input.value) || 0)));
    if (String(quantity) !== input.value) input.value = String(quantity);
    if (quantity > 0) {
      cart.push({ sku: product.dataset.sku, quantity });
      total += Number(product.dataset.price) * quantity;
    }
  }
  return { cart, total };
}

function cartChanged() {
  const { cart, total } = readCart();
  totalEl.textContent = formatRupiah(total);
  pay.setAttribute('items', JSON.stringify(cart));
  pay.hidden = cart.length === 0;
  emptyEl.hidden = cart.length > 0;
  // The page URL carries the cart: it is the return URL, so the cart survives the trip to LinkAja.
  const url = new URL(location.href);
  // An emptied cart is written as one zero, so a reload does not bring back the first-visit default.
  const lines = cart.length ? cart : [{ sku: products[0].dataset.sku, quantity: 0 }];
  url.search = new URLSearchParams(lines.map((line) => [line.sku, String(line.quantity)])).toString();
  history.replaceState(history.state, '', url);
  showResult(null);
}

for (const product of products) {
  const input = product.querySelector('.qty__input');
  input.addEventListener('change', cartChanged);
  for (const button of product.querySelectorAll('.qty__btn')) {
    button.addEventListener('click', () => {
      input.value = String(Number(input.value || 0) + Number(button.dataset.step));
      cartChanged();
    });
  }
}

/** One message under the element; `kind` picks its colour. Text only (never HTML). */
function showResult(kind, title, lines = [], link) {
  resultEl.hidden = !kind;
  resultEl.className = kind ? `result result--${kind}` : 'result';
  resultEl.replaceChildren();
  if (!kind) return;
  const heading = document.createElement('strong');
  heading.textContent = title;
  resultEl.append(heading);
  for (const line of lines) {
    const p = document.createElement('p');
    p.textContent = line;
    resultEl.append(p);
  }
  if (link) {
    const a = document.createElement('a');
    a.href = link.href;
    a.textContent = link.text;
    resultEl.append(a);
  }
}

function setPickersDisabled(disabled) {
  for (const control of document.querySelectorAll('.qty__btn, .qty__input')) control.disabled = disabled;
}

const FAILURE_TEXT = {
  FAILED: 'Pesanan belum dibayar: pembayaran dibatalkan.',
  EXPIRED: 'Pesanan belum dibayar: waktu pembayaran habis.',
};

pay.addEventListener('linkaja-pay:created', (e) => {
  showResult('info', 'Mengarahkan ke LinkAja…', [
    `Invoice ${e.detail.invoice_number} · ${formatRupiah(e.detail.amount)}`,
  ]);
});
pay.addEventListener('linkaja-pay:success', (e) => {
  setPickersDisabled(true);
  showResult(
    'success',
    'Pesanan diterima',
    [`Invoice ${e.detail.invoice_number} · ${formatRupiah(e.detail.amount)}`, 'Pesanan Anda sedang disiapkan.'],
    { href: location.pathname, text: 'Pesan lagi' },
  );
});
pay.addEventListener('linkaja-pay:failure', (e) => {
  setPickersDisabled(false);
  showResult('failure', FAILURE_TEXT[e.detail.status] ?? 'Pesanan belum dibayar.', [
    `Invoice ${e.detail.invoice_number}`,
    'Keranjang Anda masih tersimpan.',
  ]);
});
pay.addEventListener('linkaja-pay:error', (e) => {
  showResult('failure', 'Ada kendala.', [e.detail.message ?? 'Silakan coba lagi.']);
});
