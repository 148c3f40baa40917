// The bundle's entry: defines <linkaja-pay> once, even if a page includes the script twice.
// Safe to import on a server: under Node, Lit's own build supplies HTMLElement and the customElements
// registry (its DOM shim), and the element touches the page only once connected.
import { LinkajaPay } from './linkaja-pay.ts';

if (!customElements.get('linkaja-pay')) customElements.define('linkaja-pay', LinkajaPay);

export { LinkajaPay };
export type * from './events.ts';
