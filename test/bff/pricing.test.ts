import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { OrderError } from '../../bff/orders/errors.ts';
import { catalogFrom, priceCart } from '../../bff/orders/pricing.ts';
import { DEMO_CATALOG_FILE, loadCatalog, priceRequest } from '../../bff/orders/sources.ts';

/** The domain error a call raises, by code. */
const raises = (code: OrderError['code']) => (err: unknown) => err instanceof OrderError && err.code === code;

const catalog = catalogFrom([
  { sku: 'kopi', name: 'Kopi Susu', price: 18000 },
  { sku: 'teh', name: 'Es Teh', price: 6000 },
  { sku: 'emas', name: 'Emas 1 kg', price: 9_999_999 },
]);

describe('priceCart', () => {
  it('prices from the catalog and sums on the server', () => {
    const r = priceCart(catalog, [
      { sku: 'kopi', quantity: 2 },
      { sku: 'teh', quantity: 3 },
    ]);
    assert.equal(r.amount, 2 * 18000 + 3 * 6000);
    assert.deepEqual(r.lineItems, [
      { name: 'Kopi Susu', price: 18000, quantity: 2 },
      { name: 'Es Teh', price: 6000, quantity: 3 },
    ]);
  });
  it('merges a SKU given twice', () => {
    const r = priceCart(catalog, [
      { sku: 'teh', quantity: 1 },
      { sku: 'teh', quantity: 2 },
    ]);
    assert.deepEqual(r.lineItems, [{ name: 'Es Teh', price: 6000, quantity: 3 }]);
  });
  it('refuses an unknown SKU', () => {
    assert.throws(() => priceCart(catalog, [{ sku: 'nope', quantity: 1 }]), raises('unknown_sku'));
  });
  it('refuses a total over the limit', () => {
    assert.throws(() => priceCart(catalog, [{ sku: 'emas', quantity: 2 }]), raises('amount_too_large'));
  });
  it('refuses merged quantities above 99', () => {
    assert.throws(
      () =>
        priceCart(catalog, [
          { sku: 'teh', quantity: 60 },
          { sku: 'teh', quantity: 40 },
        ]),
      raises('invalid_order'),
    );
  });
  it('refuses duplicate SKUs in a catalog', () => {
    assert.throws(() =>
      catalogFrom([
        { sku: 'a', name: 'A', price: 1 },
        { sku: 'a', name: 'B', price: 2 },
      ]),
    );
  });
  it('the demo catalog loads', async () => {
    const demo = await loadCatalog(DEMO_CATALOG_FILE);
    assert.ok(demo.size >= 3);
  });
  it('no catalog file: an empty catalog, and SKUs are not priced at all', async () => {
    const none = await loadCatalog(undefined);
    assert.equal(none.size, 0);
    await assert.rejects(
      priceRequest({ items: [{ sku: 'kopi', quantity: 1 }] }, { catalog: none }),
      raises('order_source_unavailable'),
    );
  });
  it('a bad catalog file names the file and the problem', async () => {
    await assert.rejects(loadCatalog('/nonexistent/catalog.json'), /CATALOG_FILE \/nonexistent\/catalog.json/);
  });
});

describe('order tokens', () => {
  const secret = 'a-merchant-secret-of-at-least-32-characters!';
  const sign = (claims: Record<string, unknown>, key = secret, exp: string | number = '10m') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode(key));
  const items = [{ name: 'Paket Hemat', price: 25000, quantity: 2 }];

  it('prices from a valid token', async () => {
    const r = await priceRequest({ order_token: await sign({ items }) }, { catalog, orderTokenSecret: secret });
    assert.equal(r.amount, 50000);
  });
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof OrderError);
      return e.code;
    }
    assert.fail('expected an OrderError');
  };
  it('refuses a token signed with another key', async () => {
    assert.equal(
      await code(
        priceRequest({ order_token: await sign({ items }, 'x'.repeat(40)) }, { catalog, orderTokenSecret: secret }),
      ),
      'invalid_order_token',
    );
  });
  it('refuses an expired token', async () => {
    assert.equal(
      await code(
        priceRequest(
          { order_token: await sign({ items }, secret, Math.floor(Date.now() / 1000) - 60) },
          { catalog, orderTokenSecret: secret },
        ),
      ),
      'order_token_expired',
    );
  });
  it('refuses a token whose items are malformed', async () => {
    assert.equal(
      await code(
        priceRequest(
          { order_token: await sign({ items: [{ name: 'x', price: -1, quantity: 1 }] }) },
          { catalog, orderTokenSecret: secret },
        ),
      ),
      'invalid_order_token',
    );
  });
  it('refuses tokens when ORDER_TOKEN_SECRET is not set', async () => {
    assert.equal(
      await code(priceRequest({ order_token: await sign({ items }) }, { catalog })),
      'order_source_unavailable',
    );
  });
});
