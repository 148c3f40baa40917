// What the element asks the BFF to price, from its attributes, and which cart that is. Prices never
// come from here: the BFF prices every order itself.
import type { CartItem, CreatePaymentRequest, Customer } from '../shared/api.ts';

export type OrderBody = { items: CartItem[] } | { order_token: string };

export interface OrderAttributes {
  sku: string;
  quantity: number;
  items: CartItem[] | undefined;
  orderToken: string;
}

/** The order the attributes name; undefined if they name none (an error on click). */
export function orderOf({ sku, quantity, items, orderToken }: OrderAttributes): OrderBody | undefined {
  if (orderToken) return { order_token: orderToken };
  // items comes from page JSON: anything but a non-empty array of objects is no order.
  const lines = items ?? (sku ? [{ sku, quantity }] : []);
  if (!Array.isArray(lines) || !lines.length || !lines.every((i) => i && typeof i === 'object')) return undefined;
  return { items: lines.map(({ sku, quantity }) => ({ sku, quantity: quantity ?? 1 })) };
}

/** The request body: the order, the customer's details that are set, and where DOKU sends the customer back. */
export function requestOf(order: OrderBody, customer: Customer, return_url: string): CreatePaymentRequest {
  const set = Object.entries(customer)
    .map(([k, v]): [string, string] => [k, `${v ?? ''}`.trim()])
    .filter(([, v]) => v);
  // JSON leaves an undefined customer out.
  return { ...order, customer: set.length ? Object.fromEntries(set) : undefined, return_url };
}

/**
 * Which cart an order pays for. A merchant signs a fresh order token for every render, so a token counts
 * by its claims without the ones that change each time (lifetime, id); anything else (items, a token that
 * cannot be read) counts as itself.
 */
export function cartOf(order: OrderBody | undefined): string {
  try {
    const payload = (order as { order_token: string }).order_token.split('.')[1];
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    for (const name of ['iat', 'exp', 'nbf', 'jti']) delete claims[name];
    return JSON.stringify(claims);
  } catch {
    return JSON.stringify(order ?? '');
  }
}
