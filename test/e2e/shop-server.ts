// A merchant's shop on ANOTHER origin than the BFF: its own server on 127.0.0.1:<port>, reached as
// http://localhost:<port> (another host, so another origin and another site than the BFF at
// http://127.0.0.1:<port>). It serves the demo shop page (which pastes the script tag and the element
// exactly as a merchant would) under a strict CSP that names the BFF and nothing else.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Config } from '../../bff/config.ts';
import { demoRouter } from '../../bff/demo/router.ts';
import type { Catalog } from '../../bff/orders/pricing.ts';

export interface ShopServer {
  url: string;
  origin: string;
  csp: string;
  close(): Promise<void>;
}

/** The policy a careful merchant would send: only their own files, and the BFF for script, API and form. */
export const shopCsp = (bff: string): string =>
  [
    "default-src 'self'",
    `script-src 'self' ${bff}`,
    "style-src 'self'",
    "img-src 'self'",
    `connect-src ${bff}`,
    `form-action ${bff}`,
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

/** Listen first (the port makes the origin), so the BFF can be started with this origin allowed. */
export async function listenShop(): Promise<{ server: Server; origin: string }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://localhost:${(server.address() as AddressInfo).port}` };
}

export function serveShop(
  listening: { server: Server; origin: string },
  opts: { catalog: Catalog; bffConfig: Pick<Config, 'publicUrl' | 'dokuEnv'>; shopName?: string },
): ShopServer {
  const bff = new URL(opts.bffConfig.publicUrl).origin;
  const csp = shopCsp(bff);
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set('Content-Security-Policy', csp);
    next();
  });
  // Another page of the shop, without the element: where a customer browses between two payments.
  app.get('/about', (_req, res) => {
    res
      .type('html')
      .send(
        '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Tentang kami</title>' +
          '<link rel="icon" href="/demo/favicon.svg"><link rel="stylesheet" href="/demo/shop.css"></head>' +
          '<body><main class="layout"><h1>Tentang kami</h1><p><a href="/">Kembali ke menu</a></p></main></body></html>',
      );
  });
  app.use(demoRouter({ catalog: opts.catalog, config: opts.bffConfig, shopName: opts.shopName }));
  const { server, origin } = listening;
  server.on('request', app);
  return {
    url: `${origin}/`,
    origin,
    csp,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
