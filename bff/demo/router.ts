// The demo shop (mounted at `/` when DOKU_ENV=simulator): one page built from the catalog, plus its
// own CSS and JS as files (no inline code: it must run under helmet's CSP and stricter merchant ones).
// The same router serves the shop from another origin in the end-to-end test.
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import type { Config } from '../config.ts';
import type { Catalog } from '../orders/pricing.ts';
import { cartFromQuery, defaultCart, renderShopPage } from './page.ts';

export interface DemoRouterOptions {
  catalog: Catalog;
  config: Pick<Config, 'publicUrl' | 'dokuEnv'>;
  /** The BFF the page talks to (default config.publicUrl): another origin when the shop is elsewhere. */
  bffUrl?: string;
  shopName?: string;
}

const ASSETS: Record<string, { file: string; type: string }> = {
  'shop.css': { file: fileURLToPath(new URL('./shop.css', import.meta.url)), type: 'text/css; charset=utf-8' },
  'favicon.svg': { file: fileURLToPath(new URL('./favicon.svg', import.meta.url)), type: 'image/svg+xml' },
  'shop.js': { file: fileURLToPath(new URL('./shop.js', import.meta.url)), type: 'text/javascript; charset=utf-8' },
};

export function demoRouter(opts: DemoRouterOptions): Router {
  const router = express.Router();
  const bffUrl = (opts.bffUrl ?? opts.config.publicUrl).replace(/\/+$/, '');
  // Served by the BFF behind a proxy that strips PUBLIC_URL's path, the page's own URLs need it back.
  const strippedPrefix = opts.bffUrl ? '' : new URL(opts.config.publicUrl).pathname.replace(/\/+$/, '');

  router.get('/', (req, res) => {
    const query = req.query as Record<string, unknown>;
    const fromQuery = cartFromQuery(opts.catalog, query);
    // A query naming the cart (even an emptied one) wins over the first-visit default.
    const named = Object.keys(query).some((k) => opts.catalog.has(k));
    const cart = named ? fromQuery : defaultCart(opts.catalog);
    // no-cache, not no-store: no-store would keep the page out of the back/forward cache.
    res.set('Cache-Control', 'no-cache');
    res.type('html').send(
      renderShopPage({
        catalog: opts.catalog,
        cart,
        bffUrl,
        assetsBase: `${req.baseUrl || strippedPrefix}/demo`,
        shopName: opts.shopName,
        simulator: opts.config.dokuEnv === 'simulator',
      }),
    );
  });

  router.get('/demo/:asset', (req, res, next) => {
    const name = req.params.asset;
    if (!Object.hasOwn(ASSETS, name)) return next();
    const asset = ASSETS[name];
    res.sendFile(asset.file, { headers: { 'Content-Type': asset.type }, maxAge: 300_000 }, (err) => err && next(err));
  });

  return router;
}
