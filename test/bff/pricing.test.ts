import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request } from 'express';
import { SignJWT } from 'jose';
import { OrderError } from '../../bff/orders/errors.ts';
import { catalogFrom, priceCart } from '../../bff/orders/pricing.ts';
import { DEMO_CATALOG_FILE, loadCatalog, priceRequest, type OrderSources } from '../../bff/orders/sources.ts';
import type { CreatePaymentRequest } from '../../shared/api.ts';

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
      priceOrder({ items: [{ sku: 'kopi', quantity: 1 }] }, { catalog: none }),
      raises('order_source_unavailable'),
    );
  });
  it('a bad catalog file names the file and the problem', async () => {
    await assert.rejects(loadCatalog('/nonexistent/catalog.json'), /CATALOG_FILE \/nonexistent\/catalog.json/);
  });
});

/** The Express request a merchant's resolveOrder would read its session from. */
const httpRequest = { session: { cart: 'c-42' } } as unknown as Request;
const priceOrder = (req: CreatePaymentRequest, sources: OrderSources) => priceRequest(req, sources, httpRequest);

describe('order tokens', () => {
  const secret = 'a-merchant-secret-of-at-least-32-characters!';
  const now = () => Math.floor(Date.now() / 1000);
  /** Signed now (iat) for 10 minutes unless the claims say otherwise. */
  const sign = (claims: Record<string, unknown>, key = secret) =>
    new SignJWT({ iat: now(), exp: now() + 600, ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(key));
  const items = [{ name: 'Paket Hemat', price: 25000, quantity: 2 }];
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof OrderError);
      return `${e.code}: ${e.message}`;
    }
    assert.fail('expected an OrderError');
  };
  const priceToken = async (claims: Record<string, unknown>, key = secret) =>
    priceOrder({ order_token: await sign(claims, key) }, { catalog, orderTokenSecret: secret });

  it('prices from a valid token, with the merchant reference and metadata it carries', async () => {
    const r = await priceToken({ items, ref: 'ORDER-1001', metadata: { channel: 'web', cart: 'c-42' } });
    assert.deepEqual(r, {
      lineItems: items,
      amount: 50000,
      reference: 'ORDER-1001',
      metadata: { channel: 'web', cart: 'c-42' },
    });
    assert.deepEqual(await priceToken({ items }), { lineItems: items, amount: 50000, reference: null, metadata: {} });
  });
  it('takes metadata at its limits: 20 pairs, 40-character keys, 500-character values', async () => {
    const metadata = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`${i}`.padEnd(40, 'k'), 'v'.repeat(500)]),
    );
    assert.deepEqual((await priceToken({ items, metadata })).metadata, metadata);
    assert.equal((await priceToken({ items, ref: 'r'.repeat(64) })).reference, 'r'.repeat(64));
  });

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['no iat', { items, iat: undefined }, /^invalid_order_token: .*must carry iat/],
    ['no exp', { items, exp: undefined }, /^invalid_order_token: .*must carry exp/],
    // iat given too: this table is built before its tests run, maybe seconds before the token is signed.
    [
      'exp - iat over an hour',
      { items, iat: now(), exp: now() + 3601 },
      /^invalid_order_token: .*at most 3600 s \(exp - iat\)/,
    ],
    ['exp in the year 2100', { items, exp: 4_102_444_800 }, /^invalid_order_token: .*at most 3600 s/],
    ['iat two hours ago', { items, iat: now() - 7200 }, /^invalid_order_token: .*more than 3600 s ago/],
    ['iat in the future', { items, iat: now() + 600, exp: now() + 1200 }, /^invalid_order_token: .*clock/],
    ['an expired token', { items, iat: now() - 120, exp: now() - 60 }, /^order_token_expired: /],
    ['malformed items', { items: [{ name: 'x', price: -1, quantity: 1 }] }, /^invalid_order_token: /],
    ['a ref of 65 characters', { items, ref: 'r'.repeat(65) }, /^invalid_order_token: /],
    ['a ref that is a number', { items, ref: 1001 }, /^invalid_order_token: /],
    [
      '21 metadata pairs',
      { items, metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) },
      /^invalid_order_token: /,
    ],
    ['a metadata key of 41 characters', { items, metadata: { ['k'.repeat(41)]: 'v' } }, /^invalid_order_token: /],
    ['an empty metadata key', { items, metadata: { '': 'v' } }, /^invalid_order_token: /],
    ['a metadata value of 501 characters', { items, metadata: { k: 'v'.repeat(501) } }, /^invalid_order_token: /],
    ['a metadata value that is not a string', { items, metadata: { k: 1 } }, /^invalid_order_token: /],
  ];
  for (const [what, claims, expected] of refused) {
    it(`refuses ${what}`, async () => assert.match(await refusal(priceToken(claims)), expected));
  }
  it('refuses a token signed with another key', async () => {
    assert.match(await refusal(priceToken({ items }, 'x'.repeat(40))), /^invalid_order_token: /);
  });
  it('refuses tokens when ORDER_TOKEN_SECRET is not set', async () => {
    assert.match(
      await refusal(priceOrder({ order_token: await sign({ items }) }, { catalog })),
      /^order_source_unavailable: /,
    );
  });
});

describe('resolveOrder', () => {
  it('gets the validated request and the Express request, and may name the reference and metadata', async () => {
    const seen: unknown[] = [];
    const r = await priceOrder(
      { items: [{ sku: 'kopi', quantity: 1 }] },
      {
        catalog,
        resolveOrder: async (req, http) => {
          seen.push(req, (http as unknown as { session: unknown }).session);
          return { lineItems: [{ name: 'Kopi', price: 1000, quantity: 3 }], reference: 'C-42', metadata: { a: 'b' } };
        },
      },
    );
    assert.deepEqual(seen, [{ items: [{ sku: 'kopi', quantity: 1 }] }, { cart: 'c-42' }]);
    assert.deepEqual(r, {
      lineItems: [{ name: 'Kopi', price: 1000, quantity: 3 }],
      amount: 3000,
      reference: 'C-42',
      metadata: { a: 'b' },
    });
  });
  it('refuses what it returns outside the limits, saying resolveOrder returned it', async () => {
    await assert.rejects(
      priceOrder(
        { items: [{ sku: 'kopi', quantity: 1 }] },
        {
          catalog,
          resolveOrder: async () => ({
            lineItems: [{ name: 'Kopi', price: 1000, quantity: 1 }],
            reference: 'x'.repeat(65),
          }),
        },
      ),
      (e: unknown) =>
        e instanceof OrderError && e.code === 'invalid_order' && /^resolveOrder returned .*reference/.test(e.message),
    );
  });
});
