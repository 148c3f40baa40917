// Pricing: the server alone decides what an order costs. Pure functions over a catalog.
import { z } from 'zod';
import { MAX_LINES, MAX_QUANTITY, type CartItem } from '../../shared/api.ts';
import { MAX_AMOUNT, sumLineItems, type LineItem } from './line-items.ts';

export const CatalogEntry = z.strictObject({
  sku: z.string().min(1).max(64),
  name: z.string().min(1).max(255),
  /** Whole IDR. */
  price: z.number().int().positive(),
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

export const CatalogSchema = z
  .array(CatalogEntry)
  .min(1)
  .refine((c) => new Set(c.map((e) => e.sku)).size === c.length, 'SKUs must be unique');

export type Catalog = ReadonlyMap<string, CatalogEntry>;

export function catalogFrom(entries: CatalogEntry[]): Catalog {
  return new Map(CatalogSchema.parse(entries).map((e) => [e.sku, e]));
}

/** A priced order: DOKU's line items and their total. */
export interface PricedOrder {
  lineItems: LineItem[];
  amount: number;
}

export type PricingError =
  | { code: 'unknown_sku'; message: string; sku: string }
  | { code: 'amount_too_large'; message: string }
  | { code: 'invalid_request'; message: string };

/** Check limits that apply to any order source (catalog, order token, resolveOrder). */
export function checkPricedOrder(order: PricedOrder): PricingError | null {
  if (order.lineItems.length === 0 || order.lineItems.length > MAX_LINES) {
    return { code: 'invalid_request', message: `An order has 1 to ${MAX_LINES} lines.` };
  }
  if (order.amount !== sumLineItems(order.lineItems)) {
    return { code: 'invalid_request', message: 'Line items do not add up to the amount.' };
  }
  if (order.amount > MAX_AMOUNT) {
    return {
      code: 'amount_too_large',
      message: `The total exceeds LinkAja's limit of Rp ${MAX_AMOUNT.toLocaleString('id-ID')}.`,
    };
  }
  return null;
}

/** Price cart items from the catalog. Same SKU on two lines is merged into one line. */
export function priceCart(catalog: Catalog, items: readonly CartItem[]): PricedOrder | PricingError {
  const quantities = new Map<string, number>();
  for (const { sku, quantity } of items) {
    if (!catalog.has(sku)) return { code: 'unknown_sku', message: `Unknown SKU "${sku}".`, sku };
    const merged = (quantities.get(sku) ?? 0) + quantity;
    if (merged > MAX_QUANTITY)
      return { code: 'invalid_request', message: `Quantity of "${sku}" exceeds ${MAX_QUANTITY}.` };
    quantities.set(sku, merged);
  }
  const lineItems: LineItem[] = [...quantities].map(([sku, quantity]) => {
    const entry = catalog.get(sku)!;
    return { name: entry.name, price: entry.price, quantity };
  });
  const order = { lineItems, amount: sumLineItems(lineItems) };
  return checkPricedOrder(order) ?? order;
}

export const isPricingError = (r: PricedOrder | PricingError): r is PricingError => 'code' in r;
