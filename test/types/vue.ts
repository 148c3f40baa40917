// The Vue 3 GlobalComponents declaration as vue-tsc sees a template's <linkaja-pay>: its props and
// listeners, type-checked (never run). Each @ts-expect-error is a mistake the types must catch.
import type { GlobalComponents } from 'vue';

type Props = InstanceType<GlobalComponents['linkaja-pay']>['$props'];

export const checkout: Props = {
  bff: 'https://pay.example.co.id',
  sku: 'kopi-susu',
  quantity: 2,
  customerPhone: '081234567890',
  result: false,
  // <linkaja-pay @linkaja-pay:success="…">
  'onLinkajaPay:success': (e) => console.log(e.detail.invoice_number, e.detail.amount),
  'onLinkajaPay:error': (e) => console.warn(e.detail.code),
};

// @ts-expect-error: quantity is a number
export const wrongQuantity: Props = { quantity: 'two' };
export const wrongDetail: Props = {
  // @ts-expect-error: a success's detail has no error code
  'onLinkajaPay:success': (e) => console.log(e.detail.code),
};
