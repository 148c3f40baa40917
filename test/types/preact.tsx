/** @jsxImportSource preact */
// A Preact page using <linkaja-pay>, type-checked (never run) against the generated JSX types.
import { useEffect, useRef } from 'preact/hooks';
import type { LinkajaPay } from 'linkaja-pay';

export function Checkout() {
  const pay = useRef<LinkajaPay>(null);
  useEffect(() => {
    pay.current?.addEventListener('linkaja-pay:success', (e) => console.log(e.detail.invoice_number));
  }, []);
  return <linkaja-pay ref={pay} sku="kopi-susu" quantity={2} customer-email="siti@example.co.id" />;
}

// @ts-expect-error: quantity is a number
export const WrongQuantity = () => <linkaja-pay sku="kopi-susu" quantity="two" />;
