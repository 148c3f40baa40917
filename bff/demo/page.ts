// The demo shop's one page, rendered from the catalog. Pure: catalog + cart + URLs in, HTML out.
// The page uses the product exactly as a merchant would: one script tag and one <linkaja-pay>.
// No inline script or style (helmet's default CSP and stricter merchant CSPs must hold).
import { MAX_QUANTITY } from '../../shared/api.ts';
import type { Catalog } from '../orders/pricing.ts';

/** SKU -> quantity; only SKUs of the catalog, quantities 1..MAX_QUANTITY. */
export type Cart = ReadonlyMap<string, number>;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

const idr = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });
/** `Rp 27.500`, as Indonesian shops write it. */
export const formatRupiah = (amount: number): string => `Rp ${idr.format(amount)}`;

/** A dish's monogram (`Nasi Goreng Spesial` -> `NG`): a picture with no image request and no emoji font. */
export const monogram = (name: string): string =>
  name
    .split(/[\s-]+/)
    .filter((w) => /^\p{L}/u.test(w))
    .slice(0, 2)
    .map((w) => w[0].toUpperCase())
    .join('');

/**
 * The cart from the page's query string (`?nasi-goreng=2&rendang=1`). The return URL the element
 * hands the BFF is the page URL, so the cart survives the round trip through LinkAja and the element
 * finds the same order again. Unknown SKUs and bad quantities are ignored.
 */
export function cartFromQuery(catalog: Catalog, query: Record<string, unknown>): Cart {
  const cart = new Map<string, number>();
  for (const [sku, raw] of Object.entries(query)) {
    if (!catalog.has(sku) || typeof raw !== 'string' || !/^\d{1,2}$/.test(raw)) continue;
    const quantity = Number(raw);
    if (quantity >= 1 && quantity <= MAX_QUANTITY) cart.set(sku, quantity);
  }
  return cart;
}

/** A first visit starts with something in the cart, so the pay button does something. */
export function defaultCart(catalog: Catalog): Cart {
  const [first, ...rest] = [...catalog.keys()];
  const drink = rest.find((sku) => sku.startsWith('es-')) ?? rest[0];
  return new Map([[first, 1], ...(drink ? [[drink, 1] as [string, number]] : [])]);
}

export interface ShopPageOptions {
  catalog: Catalog;
  cart: Cart;
  /** The BFF's public base URL (no trailing slash): the element's `bff` and the script's origin. */
  bffUrl: string;
  /** Where this page's own CSS and JS live (default `/demo`). */
  assetsBase?: string;
  shopName?: string;
  /** Shown in a banner: payments go to the embedded simulator, no money moves. */
  simulator?: boolean;
}

function productCard(sku: string, name: string, price: number, quantity: number): string {
  const id = `qty-${escapeHtml(sku)}`;
  const n = escapeHtml(name);
  return `
      <li class="product" data-sku="${escapeHtml(sku)}" data-price="${price}">
        <span class="product__art" aria-hidden="true">${escapeHtml(monogram(name))}</span>
        <div class="product__body">
          <h3 class="product__name" id="name-${escapeHtml(sku)}">${n}</h3>
          <p class="product__price">${formatRupiah(price)}</p>
        </div>
        <div class="qty" role="group" aria-labelledby="name-${escapeHtml(sku)}">
          <button type="button" class="qty__btn" data-step="-1" aria-label="Kurangi ${n}">−</button>
          <label class="visually-hidden" for="${id}">Jumlah ${n}</label>
          <input class="qty__input" id="${id}" name="${escapeHtml(sku)}" type="number" inputmode="numeric"
                 min="0" max="${MAX_QUANTITY}" value="${quantity}">
          <button type="button" class="qty__btn" data-step="1" aria-label="Tambah ${n}">+</button>
        </div>
      </li>`;
}

export function renderShopPage(opts: ShopPageOptions): string {
  const { catalog, cart, bffUrl } = opts;
  const assets = opts.assetsBase ?? '/demo';
  const shopName = escapeHtml(opts.shopName ?? 'Warung Nusantara');
  const items = [...cart].map(([sku, quantity]) => ({ sku, quantity }));
  const total = [...cart].reduce((sum, [sku, q]) => sum + catalog.get(sku)!.price * q, 0);
  const products = [...catalog.values()].map((e) => productCard(e.sku, e.name, e.price, cart.get(e.sku) ?? 0)).join('');
  const banner = opts.simulator
    ? `<p class="banner">Mode demo: pembayaran diproses oleh simulator DOKU bawaan. Tidak ada uang yang berpindah.</p>`
    : '';
  return `<!doctype html>
<html lang="id">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${shopName} · bayar dengan LinkAja</title>
  <link rel="icon" href="${escapeHtml(assets)}/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="${escapeHtml(assets)}/shop.css">
  <script type="module" src="${escapeHtml(bffUrl)}/linkaja-pay.js"></script>
  <script type="module" src="${escapeHtml(assets)}/shop.js"></script>
</head>
<body>
  <header class="masthead">
    ${banner}
    <div class="masthead__title">
      <h1>${shopName}</h1>
      <p>Masakan rumahan Indonesia, diantar hangat.</p>
    </div>
  </header>
  <main class="layout">
    <section aria-labelledby="menu-title">
      <h2 id="menu-title">Menu</h2>
      <ul class="products">${products}
      </ul>
    </section>
    <aside class="checkout" aria-labelledby="cart-title">
      <h2 id="cart-title">Pesanan Anda</h2>
      <p class="total">Total <strong id="total" aria-live="polite">${formatRupiah(total)}</strong></p>
      <p class="empty" id="empty-cart"${items.length ? ' hidden' : ''}>Keranjang masih kosong: pilih menu dulu.</p>
      <linkaja-pay id="pay" bff="${escapeHtml(bffUrl)}" items="${escapeHtml(JSON.stringify(items))}"${items.length ? '' : ' hidden'}></linkaja-pay>
      <div class="result" id="result" role="status" aria-live="polite" hidden></div>
    </aside>
  </main>
  <footer class="footer">Dibuat dengan <code>&lt;linkaja-pay&gt;</code> · satu tag skrip, satu elemen.</footer>
</body>
</html>
`;
}
