// A React 19 checkout using <linkaja-pay>, type-checked (never run) against the generated JSX types and
// the element's typed events. Each @ts-expect-error is a mistake the types must catch: if one compiled,
// tsc would fail on the unused directive.
import { useEffect, useRef } from 'react';
import type { LinkajaPay } from 'linkaja-pay';

export function Checkout({ orderToken, onPaid }: { orderToken: string; onPaid: (invoice: string) => void }) {
  const pay = useRef<LinkajaPay>(null);
  useEffect(() => {
    const el = pay.current;
    if (!el) return;
    // React 19's on… props and colon-named events do not mix in every compiler: listen on the element.
    const paid = (e: CustomEvent<{ invoice_number: string }>) => onPaid(e.detail.invoice_number);
    el.addEventListener('linkaja-pay:success', paid);
    el.addEventListener('linkaja-pay:failure', (e) => {
      const status: 'PENDING' | 'SUCCESS' | 'FAILED' | 'EXPIRED' = e.detail.status;
      // @ts-expect-error: a failure's detail has no error code
      void e.detail.code;
      void status;
    });
    el.addEventListener('linkaja-pay:error', (e) => console.warn(e.detail.code, e.detail.message));
    return () => el.removeEventListener('linkaja-pay:success', paid);
  }, [onPaid]);
  return (
    <linkaja-pay
      ref={pay}
      bff="https://pay.example.co.id"
      order-token={orderToken}
      customer-name="Siti Rahma"
      customer-phone="0812-3456-7890"
      locale="en"
      label="Bayar pesanan"
    />
  );
}

export const Catalog = () => <linkaja-pay sku="kopi-susu" quantity={2} id="kopi" class="pay" />;
export const ThankYou = () => <linkaja-pay result bff="https://pay.example.co.id" />;
/** Where the compiler takes namespaced JSX attributes (TypeScript, esbuild), the event props are typed too. */
export const Typed = () => <linkaja-pay sku="kopi-susu" onlinkaja-pay:success={(e) => void e.detail.amount} />;

// @ts-expect-error: quantity is a number
export const WrongQuantity = () => <linkaja-pay sku="kopi-susu" quantity="two" />;
// @ts-expect-error: no such attribute
export const Misspelt = () => <linkaja-pay skuu="kopi-susu" />;
// @ts-expect-error: locale is 'id' or 'en'
export const WrongLocale = () => <linkaja-pay sku="kopi-susu" locale="fr" />;
