// Order sources: where the BFF gets an order's lines and price. Never from the browser.
// A catalog (SKU pricing), an order token (a JWT signed by the merchant's backend), or a
// merchant-supplied resolveOrder function when the BFF is mounted inside a Node app. The last two
// may also name the merchant's own order (`reference`) and add `metadata`.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Request } from 'express';
import { z } from 'zod';
import type { CreatePaymentRequest } from '../../shared/api.ts';
import { issuesOf } from '../lib/issues.ts';
import { OrderError } from './errors.ts';
import { LineItem } from './line-items.ts';
import { catalogFrom, priceCart, priceLines, CatalogSchema, type Catalog, type PricedOrder } from './pricing.ts';
import { Metadata, Reference } from './reference.ts';

/** What a merchant's resolveOrder returns: the lines, and optionally its own order id and metadata. */
export const ResolvedOrder = z.object({
  lineItems: z.array(LineItem),
  reference: Reference.optional(),
  metadata: Metadata.optional(),
});
export type ResolvedOrder = z.input<typeof ResolvedOrder>;

/**
 * A merchant's own pricing hook: gets the validated request and the Express request (to read its
 * session), returns the order (or throws an OrderError).
 */
export type ResolveOrder = (request: CreatePaymentRequest, httpRequest: Request) => Promise<ResolvedOrder>;

/** A priced order and what the merchant said about it. */
export interface OrderDraft extends PricedOrder {
  reference: string | null;
  metadata: Metadata;
}

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

/** An order token is signed for one checkout: it says when (`iat`) and lives at most this long. */
export const ORDER_TOKEN_MAX_LIFETIME_S = 3600;
/** The merchant's clock and ours may differ a little. */
const CLOCK_TOLERANCE_S = 30;

/** Claims of an order token, signed by the merchant's backend with ORDER_TOKEN_SECRET (HS256). */
export const OrderTokenClaims = z.object({
  items: z.array(LineItem).min(1),
  iat: z.number(),
  exp: z.number(),
  ref: Reference.optional(),
  metadata: Metadata.optional(),
});

export interface OrderSources {
  catalog: Catalog;
  orderTokenSecret?: string;
  resolveOrder?: ResolveOrder;
}

const invalidToken = (message: string) => new OrderError('invalid_order_token', message);

/**
 * jose, loaded with the first order token: a BFF that prices from its catalog (or is idle) never holds
 * it (about 2 MB resident, measured on the built server).
 */
let jose: Promise<typeof import('jose')> | undefined;
const loadJose = () => (jose ??= import('jose'));

/** jose's verdicts, said for the merchant who signed the token. */
function tokenRefusal(err: unknown, joseErrors: (typeof import('jose'))['errors']): OrderError {
  if (err instanceof joseErrors.JWTExpired) {
    return err.claim === 'iat'
      ? invalidToken(`The order token was signed more than ${ORDER_TOKEN_MAX_LIFETIME_S} s ago (iat).`)
      : new OrderError('order_token_expired', 'The order token has expired.');
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed && (err.claim === 'iat' || err.claim === 'exp')) {
    return err.reason === 'missing'
      ? invalidToken(
          `The order token must carry ${err.claim} (${err.claim === 'iat' ? 'when it was signed' : 'when it ends'}).`,
        )
      : invalidToken(`The order token's ${err.claim} is not valid: check the signing server's clock.`);
  }
  return invalidToken('The order token is not valid.');
}

async function fromOrderToken(token: string, secret: string | undefined): Promise<z.infer<typeof OrderTokenClaims>> {
  if (!secret) {
    throw new OrderError(
      'order_source_unavailable',
      'Order tokens are not enabled on this BFF (ORDER_TOKEN_SECRET is not set).',
    );
  }
  let payload: unknown;
  const { jwtVerify, errors } = await loadJose();
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'iat'],
      maxTokenAge: ORDER_TOKEN_MAX_LIFETIME_S,
      clockTolerance: CLOCK_TOLERANCE_S,
    }));
  } catch (err) {
    throw tokenRefusal(err, errors);
  }
  const claims = OrderTokenClaims.safeParse(payload);
  if (!claims.success) {
    throw new OrderError(
      'invalid_order_token',
      'The order token does not carry valid items [{name, price, quantity}], ref (up to 64 characters) and metadata (up to 20 string pairs).',
      issuesOf(claims.error),
    );
  }
  // Without this, a token could be signed today to work for years: iat in the past, exp far away.
  if (claims.data.exp - claims.data.iat > ORDER_TOKEN_MAX_LIFETIME_S) {
    throw invalidToken(`An order token may live at most ${ORDER_TOKEN_MAX_LIFETIME_S} s (exp - iat).`);
  }
  return claims.data;
}

async function fromResolveOrder(
  resolveOrder: ResolveOrder,
  req: CreatePaymentRequest,
  httpRequest: Request,
): Promise<z.infer<typeof ResolvedOrder>> {
  const resolved = ResolvedOrder.safeParse(await resolveOrder(req, httpRequest));
  if (!resolved.success) {
    const issues = issuesOf(resolved.error);
    throw new OrderError(
      'invalid_order',
      `resolveOrder returned an invalid order: ${issues[0].path} ${issues[0].message}`,
      issues,
    );
  }
  return resolved.data;
}

/** Price a create-payment request from the configured sources; throws an OrderError when it cannot. */
export async function priceRequest(
  req: CreatePaymentRequest,
  sources: OrderSources,
  httpRequest: Request,
): Promise<OrderDraft> {
  if (sources.resolveOrder) {
    const r = await fromResolveOrder(sources.resolveOrder, req, httpRequest);
    return { ...priceLines(r.lineItems), reference: r.reference ?? null, metadata: r.metadata ?? {} };
  }
  if (req.order_token !== undefined) {
    const claims = await fromOrderToken(req.order_token, sources.orderTokenSecret);
    return { ...priceLines(claims.items), reference: claims.ref ?? null, metadata: claims.metadata ?? {} };
  }
  if (sources.catalog.size === 0) {
    throw new OrderError(
      'order_source_unavailable',
      'SKU pricing is not enabled on this BFF (CATALOG_FILE is not set).',
    );
  }
  return { ...priceCart(sources.catalog, req.items), reference: null, metadata: {} };
}
