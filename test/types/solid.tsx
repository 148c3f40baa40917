/** @jsxImportSource solid-js */
// A Solid page using <linkaja-pay>, type-checked (never run) against the generated JSX types.
import { onMount } from 'solid-js';
import type { LinkajaPay } from 'linkaja-pay';

export function Checkout() {
  let pay: LinkajaPay | undefined;
  onMount(() => pay?.addEventListener('linkaja-pay:success', (e) => console.log(e.detail.amount)));
  return <linkaja-pay ref={pay} sku="kopi-susu" prop:quantity={2} attr:customer-phone="081234567890" />;
}

// @ts-expect-error: quantity is a number
export const WrongQuantity = () => <linkaja-pay sku="kopi-susu" prop:quantity="two" />;
