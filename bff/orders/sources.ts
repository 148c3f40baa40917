// Order sources: where the BFF gets an order's lines and price. Never from the browser.
// A catalog (SKU pricing), an order token (a JWT signed by the merchant's backend), or a
// merchant-supplied resolveOrder function when the BFF is mounted inside a Node app.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import type { CreatePaymentRequest } from '../../shared/api.ts';
import { OrderError } from './errors.ts';
import { LineItem } from './line-items.ts';
import { catalogFrom, priceCart, priceLines, CatalogSchema, type Catalog, type PricedOrder } from './pricing.ts';

/** A merchant's own pricing hook: gets the validated request, returns line items (or throws an OrderError). */
export type ResolveOrder = (request: CreatePaymentRequest) => Promise<{ lineItems: LineItem[] }>;

/** The demo shop's catalog: the simulator's default, never a live shop's. */
export const DEMO_CATALOG_FILE = fileURLToPath(new URL('./demo-catalog.json', import.meta.url));

/**
 * Read and validate a catalog file (at start-up); the error names the file and the problem. No file:
 * an empty catalog, so SKUs are not priced at all.
 */
export async function loadCatalog(file: string | undefined): Promise<Catalog> {
  if (file === undefined) return new Map();
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`CATALOG_FILE ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = CatalogSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(
      `CATALOG_FILE ${file}: ${i.path.join('.') || '(root)'} ${i.message} (format: [{"sku","name","price"}], price in whole IDR)`,
    );
  }
  return catalogFrom(parsed.data);
}

/** Claims of an order token. The merchant's backend signs it with ORDER_TOKEN_SECRET (HS256) and sets exp. */
export const OrderTokenClaims = z.object({
  items: z.array(LineItem).min(1),
  exp: z.number(),
});

export interface OrderSources {
  catalog: Catalog;
  orderTokenSecret?: string;
  resolveOrder?: ResolveOrder;
}

async function fromOrderToken(token: string, secret: string | undefined): Promise<LineItem[]> {
  if (!secret) {
    throw new OrderError(
      'order_source_unavailable',
      'Order tokens are not enabled on this BFF (ORDER_TOKEN_SECRET is not set).',
    );
  }
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired)
      throw new OrderError('order_token_expired', 'The order token has expired.');
    throw new OrderError('invalid_order_token', 'The order token is not valid.');
  }
  const claims = OrderTokenClaims.safeParse(payload);
  if (!claims.success) {
    throw new OrderError(
      'invalid_order_token',
      'The order token does not carry valid items [{name, price, quantity}].',
    );
  }
  return claims.data.items;
}

/** Price a create-payment request from the configured sources; throws an OrderError when it cannot. */
export async function priceRequest(req: CreatePaymentRequest, sources: OrderSources): Promise<PricedOrder> {
  if (sources.resolveOrder) return priceLines((await sources.resolveOrder(req)).lineItems);
  if (req.order_token !== undefined) return priceLines(await fromOrderToken(req.order_token, sources.orderTokenSecret));
  if (sources.catalog.size === 0) {
    throw new OrderError(
      'order_source_unavailable',
      'SKU pricing is not enabled on this BFF (CATALOG_FILE is not set).',
    );
  }
  return priceCart(sources.catalog, req.items);
}
