// The bundle's entry: defines <linkaja-pay> once, even if a page includes the script twice.
import { LinkajaPay } from './linkaja-pay.ts';

if (!customElements.get('linkaja-pay')) customElements.define('linkaja-pay', LinkajaPay);

export { LinkajaPay };
