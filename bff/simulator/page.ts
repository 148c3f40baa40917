// The simulator's LinkAja checkout page: pure HTML builders, every value escaped. No script and no
// inline style (it runs under a strict CSP); its stylesheet is served from `page.css` beside it.
import type { SimulatedPayment, SimulatedStatus } from './state.ts';

export function escapeHtml(value: string | number): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const idr = new Intl.NumberFormat('id-ID', {
  style: 'currency',
  currency: 'IDR',
  minimumFractionDigits: 0,
  maximumFractionDigits: 0,
});

/** `Rp 20.000` (id-ID). */
export function formatRupiah(amount: number): string {
  return idr.format(amount);
}

const STATUS_TEXT: Record<SimulatedStatus, string> = {
  PENDING: 'menunggu pembayaran',
  SUCCESS: 'berhasil dibayar',
  FAILED: 'dibatalkan',
  EXPIRED: 'kedaluwarsa',
};

/** The page's CSP: stricter than helmet's defaults (no script at all); forms may redirect anywhere. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

const LOGO = `<svg class="logo" viewBox="0 0 120 32" role="img" aria-label="LinkAja" xmlns="http://www.w3.org/2000/svg">
<rect width="32" height="32" rx="8" fill="#E82127"/><path d="M10 8v16h12v-4h-8V8z" fill="#fff"/>
<text x="40" y="22" font-family="system-ui, sans-serif" font-size="17" font-weight="700" fill="#E82127">LinkAja</text></svg>`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="page.css">
<link rel="icon" href="data:,">
</head>
<body>
<main class="card">
<header class="brand">${LOGO}<span class="badge">Simulator</span></header>
${body}
<p class="note">Simulator DOKU: tidak ada uang yang berpindah.</p>
</main>
</body>
</html>
`;
}

/** The checkout: merchant, items, total, invoice and the three decisions. */
export function checkoutPage(p: SimulatedPayment, merchantName: string): string {
  const items = p.request.order.line_items
    .map(
      (i) =>
        `<tr><td>${escapeHtml(i.name)}</td><td class="num">${escapeHtml(i.quantity)} &times; ${escapeHtml(formatRupiah(i.price))}</td>` +
        `<td class="num">${escapeHtml(formatRupiah(i.price * i.quantity))}</td></tr>`,
    )
    .join('\n');
  return layout(
    'LinkAja - Pembayaran',
    `<h1 class="merchant">Bayar ke <span data-testid="linkaja-merchant">${escapeHtml(merchantName)}</span></h1>
<p class="amount" id="linkaja-amount" data-testid="linkaja-amount">${escapeHtml(formatRupiah(p.amount))}</p>
<dl class="meta"><dt>No. invoice</dt><dd id="linkaja-invoice" data-testid="linkaja-invoice">${escapeHtml(p.invoiceNumber)}</dd></dl>
<table class="items">
<caption>Rincian pesanan</caption>
<thead><tr><th scope="col">Item</th><th scope="col" class="num">Jumlah</th><th scope="col" class="num">Subtotal</th></tr></thead>
<tbody>
${items}
</tbody>
<tfoot><tr><th scope="row" colspan="2">Total</th><td class="num">${escapeHtml(formatRupiah(p.amount))}</td></tr></tfoot>
</table>
<form class="actions" method="post" action="decide">
<input type="hidden" name="Message" value="${escapeHtml(p.message)}">
<button type="submit" name="decision" value="pay" class="primary" id="linkaja-pay" data-testid="linkaja-pay">Bayar</button>
<button type="submit" name="decision" value="cancel" class="secondary" id="linkaja-cancel" data-testid="linkaja-cancel">Batalkan</button>
<button type="submit" name="decision" value="expire" class="ghost" id="linkaja-expire" data-testid="linkaja-expire">Biarkan kedaluwarsa</button>
</form>`,
  );
}

/** A payment that was already paid, cancelled or expired: say so, and offer the way back. */
export function alreadyDecidedPage(p: SimulatedPayment): string {
  return layout(
    'LinkAja - Sudah diproses',
    `<h1 class="merchant">Pembayaran sudah diproses</h1>
<p class="message" data-testid="linkaja-decided">Invoice <strong>${escapeHtml(p.invoiceNumber)}</strong> ${escapeHtml(STATUS_TEXT[p.status])}.</p>
<p><a class="button primary" href="${escapeHtml(p.request.order.callback_url)}" data-testid="linkaja-back">Kembali ke merchant</a></p>`,
  );
}

/** The same redirect posted again while the simulator refuses reuse: say so, and offer the way back. */
export function alreadyUsedPage(p: SimulatedPayment): string {
  return layout(
    'LinkAja - Tautan sudah digunakan',
    `<h1 class="merchant">Tautan pembayaran sudah digunakan</h1>
<p class="message" data-testid="linkaja-used">Tautan untuk invoice <strong>${escapeHtml(p.invoiceNumber)}</strong> sudah dibuka sebelumnya. Kembali ke toko untuk melihat status pembayaran.</p>
<p><a class="button primary" href="${escapeHtml(p.request.order.callback_url)}" data-testid="linkaja-back">Kembali ke merchant</a></p>`,
  );
}

/** Unknown or garbled Message, or a bad decision. */
export function errorPage(message: string): string {
  return layout(
    'LinkAja - Permintaan tidak valid',
    `<h1 class="merchant">Permintaan tidak valid</h1>
<p class="message" data-testid="linkaja-error">${escapeHtml(message)}</p>`,
  );
}

export const PAGE_CSS = `:root{--red:#E82127;--red-ink:#D41A20;--red-dark:#b8141a;--ink:#1f2328;--muted:#5f6670;--line:#e6e8eb;--bg:#f5f6f8}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;display:flex;justify-content:center;align-items:flex-start;padding:24px 12px}
.card{width:100%;max-width:420px;background:#fff;border-radius:16px;box-shadow:0 4px 24px rgba(0,0,0,.08);padding:24px;border-top:6px solid var(--red)}
.brand{display:flex;align-items:center;justify-content:space-between;margin-bottom:16px}
.logo{height:32px;width:auto}
.badge{font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.05em;color:var(--red-ink);border:1px solid var(--red-ink);border-radius:999px;padding:2px 10px}
.merchant{font-size:18px;font-weight:600;margin:0 0 4px}
.amount{font-size:32px;font-weight:700;color:var(--red);margin:0 0 12px}
.meta{display:flex;gap:8px;margin:0 0 16px;color:var(--muted);font-size:14px}
.meta dd{margin:0;font-family:ui-monospace,monospace;color:var(--ink);word-break:break-all}
.items{width:100%;border-collapse:collapse;font-size:14px;margin-bottom:20px}
.items caption{text-align:left;font-weight:600;padding-bottom:6px}
.items th,.items td{padding:8px 4px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
.items thead th{color:var(--muted);font-weight:500}
.items tfoot th,.items tfoot td{font-weight:700;border-bottom:none}
.num{text-align:right!important;white-space:nowrap}
.actions{display:flex;flex-direction:column;gap:10px}
button,.button{display:block;width:100%;font:inherit;font-weight:600;text-align:center;text-decoration:none;border-radius:10px;padding:12px 16px;cursor:pointer;border:2px solid var(--red-ink)}
/* Text and filled buttons use a slightly deeper red: #E82127 on white is 4.49:1, just under WCAG AA. */
.primary{background:var(--red-ink);color:#fff}
.primary:hover{background:var(--red-dark);border-color:var(--red-dark)}
.secondary{background:#fff;color:var(--red-ink)}
.secondary:hover{background:#fdeced}
.ghost{background:transparent;border-color:transparent;color:var(--muted)}
.ghost:hover{color:var(--ink);text-decoration:underline}
button:focus-visible,.button:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
.message{margin:8px 0 20px}
.note{margin:20px 0 0;font-size:12px;color:var(--muted);text-align:center}
`;
