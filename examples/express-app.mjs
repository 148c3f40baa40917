// A merchant's own Express app with the linkaja-pay BFF mounted at /pay, pricing orders in its own
// code (resolveOrder) instead of a catalog file. Run it beside a checkout after `npm run build`, or
// from an app that installed the package:
//
//   PUBLIC_URL=http://localhost:3000/pay PORT=3000 node examples/express-app.mjs
//
// then open http://localhost:3000/ (DOKU_ENV defaults to the built-in simulator on a loopback host).
import express from 'express';
import { createBff, OrderError } from 'linkaja-pay/server';

/** The shop's own products: the price is decided here, never by the browser. */
const PRODUCTS = new Map([
  ['kopi-susu', { name: 'Kopi Susu Gula Aren', price: 18_000 }],
  ['roti-bakar', { name: 'Roti Bakar Cokelat Keju', price: 22_000 }],
]);

/** @type {import('linkaja-pay/server').ResolveOrder} */
async function resolveOrder(request) {
  const lineItems = (request.items ?? []).map(({ sku, quantity }) => {
    const product = PRODUCTS.get(sku);
    // An OrderError is answered as a 400 the element can show; any other error is a 500.
    if (!product) throw new OrderError('unknown_sku', `No product ${sku}.`);
    return { name: product.name, price: product.price, quantity };
  });
  return { lineItems };
}

const port = Number(process.env.PORT ?? 3000);
const bff = await createBff({ env: { PUBLIC_URL: `http://localhost:${port}/pay`, ...process.env }, resolveOrder });

const app = express();
// The BFF first: its notification route needs DOKU's raw bytes, which a body parser would consume.
app.use('/pay', bff.app);
app.use(express.json());

app.get('/', (_req, res) => {
  res.type('html').send(`<!doctype html>
<html lang="id"><meta charset="utf-8"><title>Kedai Kopi</title>
<script type="module" src="/pay/linkaja-pay.js"></script>
<h1>Kedai Kopi</h1>
<p>Kopi Susu Gula Aren, Rp 18.000</p>
<linkaja-pay bff="/pay" sku="kopi-susu" quantity="1"></linkaja-pay>
</html>`);
});

const server = app.listen(port, () => console.log(`shop with linkaja-pay on http://localhost:${port}/`));

// Stop cleanly: requests in flight finish, then reconciliation, webhooks and the store stop.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => void bff.close().then(() => process.exit(0)));
    server.closeIdleConnections();
  });
}
