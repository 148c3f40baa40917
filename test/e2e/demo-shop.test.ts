// The demo shop page over real HTTP: built from the catalog, escaped, CSP-friendly (no inline code),
// and the cart round-trips through the query string (the element's return URL).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { demoRouter } from '../../bff/demo/router.ts';
import { cartFromQuery, formatRupiah, monogram } from '../../bff/demo/page.ts';
import { catalogFrom } from '../../bff/orders/pricing.ts';
import { DEMO_CATALOG_FILE, loadCatalog } from '../../bff/orders/sources.ts';

const hostile = catalogFrom([
  { sku: 'nasi-goreng', name: 'Nasi <script>alert(1)</script> & "Goreng"', price: 27_500 },
  { sku: 'es-teh', name: "Es Teh 'Manis'", price: 6_000 },
]);

let server: Server;
let base: string;

before(async () => {
  const app = express();
  app.use(
    demoRouter({
      catalog: await loadCatalog(DEMO_CATALOG_FILE),
      config: { publicUrl: 'https://pay.example.test', dokuEnv: 'simulator' },
    }),
  );
  app.use(
    '/hostile',
    demoRouter({ catalog: hostile, config: { publicUrl: 'https://pay.example.test', dokuEnv: 'sandbox' } }),
  );
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('demo shop page', () => {
  test('lists the catalog in rupiah and pastes the script tag and element as a merchant would', async () => {
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache', 'no-store would keep it out of the back/forward cache');
    const html = await res.text();
    for (const [name, price] of [
      ['Nasi Goreng Spesial', 'Rp 27.500'],
      ['Rendang Sapi', 'Rp 45.000'],
      ['Es Teh Manis', 'Rp 6.000'],
    ]) {
      assert.ok(html.includes(name), name);
      assert.ok(html.includes(price), price);
    }
    assert.ok(html.includes('<script type="module" src="https://pay.example.test/linkaja-pay.js"></script>'));
    assert.match(
      html,
      /<linkaja-pay id="pay" bff="https:\/\/pay.example.test" items="\[\{&quot;sku&quot;:&quot;nasi-goreng&quot;,&quot;quantity&quot;:1\},/,
    );
    assert.ok(html.includes('Rp 33.500'), 'first-visit cart total');
    assert.ok(html.includes('Mode demo'), 'simulator banner');
  });

  test('has no inline script, inline style or style attribute (strict CSP pages)', async () => {
    const html = await (await fetch(`${base}/`)).text();
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'every script has a src');
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
  });

  test('the cart comes from the query string; unknown SKUs and bad quantities are ignored', async () => {
    const html = await (await fetch(`${base}/?rendang=2&kopi-susu=1&nope=3&nasi-goreng=abc`)).text();
    assert.ok(
      html.includes(
        'items="[{&quot;sku&quot;:&quot;rendang&quot;,&quot;quantity&quot;:2},{&quot;sku&quot;:&quot;kopi-susu&quot;,&quot;quantity&quot;:1}]"',
      ),
    );
    assert.ok(html.includes('Rp 108.000'));
    const empty = await (await fetch(`${base}/?nasi-goreng=0`)).text();
    assert.ok(
      empty.includes('items="[]"') && /<linkaja-pay [^>]* hidden>/.test(empty),
      'emptied cart hides the element',
    );
    const catalog = await loadCatalog(DEMO_CATALOG_FILE);
    assert.deepEqual(
      [...cartFromQuery(catalog, { rendang: '100', 'sate-ayam': '99', 'gado-gado': ['1', '2'] })],
      [['sate-ayam', 99]],
    );
  });

  test('escapes catalog names everywhere and serves assets under its mount path', async () => {
    const html = await (await fetch(`${base}/hostile/`)).text();
    assert.ok(!html.includes('<script>alert(1)'), 'no raw markup from the catalog');
    assert.ok(html.includes('Nasi &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Goreng&quot;'));
    assert.ok(html.includes('Es Teh &#39;Manis&#39;'));
    assert.ok(html.includes('href="/hostile/demo/shop.css"') && html.includes('src="/hostile/demo/shop.js"'));
    assert.ok(!html.includes('Mode demo'), 'no simulator banner outside simulator mode');
  });

  test("behind a proxy that strips PUBLIC_URL's path, links its assets under that path", async () => {
    const app = express();
    app.use(
      demoRouter({
        catalog: await loadCatalog(DEMO_CATALOG_FILE),
        config: { publicUrl: 'https://shop.example/pay', dokuEnv: 'simulator' },
      }),
    );
    const proxied = createServer(app);
    await new Promise<void>((resolve) => proxied.listen(0, '127.0.0.1', resolve));
    try {
      const html = await (await fetch(`http://127.0.0.1:${(proxied.address() as AddressInfo).port}/`)).text();
      assert.ok(
        html.includes('src="/pay/demo/shop.js"') && html.includes('href="/pay/demo/shop.css"'),
        'assets under /pay',
      );
      assert.ok(html.includes('src="https://shop.example/pay/linkaja-pay.js"'));
    } finally {
      await new Promise<void>((resolve) => proxied.close(() => resolve()));
    }
  });

  test('serves its CSS, JS and icon with their types; nothing else under /demo', async () => {
    for (const [file, type] of [
      ['shop.css', 'text/css'],
      ['shop.js', 'text/javascript'],
      ['favicon.svg', 'image/svg+xml'],
    ]) {
      const res = await fetch(`${base}/demo/${file}`);
      assert.equal(res.status, 200, file);
      assert.ok(res.headers.get('content-type')?.startsWith(type), `${file}: ${res.headers.get('content-type')}`);
    }
    for (const path of ['/demo/router.ts', '/demo/constructor', '/demo/..%2Fpage.ts', '/demo/']) {
      assert.equal((await fetch(`${base}${path}`)).status, 404, path);
    }
  });

  test('formats rupiah the Indonesian way and draws monograms', () => {
    assert.equal(formatRupiah(27_500), 'Rp 27.500');
    assert.equal(formatRupiah(1_250_000), 'Rp 1.250.000');
    assert.equal(monogram('Sate Ayam (10 tusuk)'), 'SA');
    assert.equal(monogram('Gado-Gado'), 'GG');
  });
});
