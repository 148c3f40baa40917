// Pricing: the server alone decides what an order costs. Pure functions over a catalog.
import { z } from 'zod';
import { MAX_LINES, MAX_QUANTITY, type CartItem } from '../../shared/api.ts';
import { OrderError } from './errors.ts';
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

/** A priced order: its line items and their total. */
export interface PricedOrder {
  lineItems: LineItem[];
  amount: number;
}

/** Total the lines and check the limits that apply to any order source (catalog, order token, resolveOrder). */
export function priceLines(lineItems: LineItem[]): PricedOrder {
  if (lineItems.length === 0 || lineItems.length > MAX_LINES) {
    throw new OrderError('invalid_order', `An order has 1 to ${MAX_LINES} lines.`);
  }
  const amount = sumLineItems(lineItems);
  if (amount > MAX_AMOUNT) {
    throw new OrderError(
      'amount_too_large',
      `The total exceeds LinkAja's limit of Rp ${MAX_AMOUNT.toLocaleString('id-ID')}.`,
    );
  }
  return { lineItems, amount };
}

/** Price cart items from the catalog. Same SKU on two lines is merged into one line. */
export function priceCart(catalog: Catalog, items: readonly CartItem[]): PricedOrder {
  const quantities = new Map<string, number>();
  for (const { sku, quantity } of items) {
    if (!catalog.has(sku)) throw new OrderError('unknown_sku', `Unknown SKU "${sku}".`);
    const merged = (quantities.get(sku) ?? 0) + quantity;
    if (merged > MAX_QUANTITY) throw new OrderError('invalid_order', `Quantity of "${sku}" exceeds ${MAX_QUANTITY}.`);
    quantities.set(sku, merged);
  }
  return priceLines(
    [...quantities].map(([sku, quantity]) => {
      const entry = catalog.get(sku)!;
      return { name: entry.name, price: entry.price, quantity };
    }),
  );
}
