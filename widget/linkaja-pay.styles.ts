// Styles of <linkaja-pay>. Adopted stylesheets only (no style attributes), so strict CSP pages work.
import { unsafeCSS } from 'lit';

// The sheet is a constant of ours, with no value interpolated: Lit's css tag, whose only extra is the
// check of interpolated values, would add that check's code to a budgeted bundle for nothing.
const css = (strings: TemplateStringsArray) => unsafeCSS(strings[0]);

export default css`
  :host {
    display: inline-block;
    font: inherit;
  }
  /* On the host too: its display would otherwise beat the hidden attribute. */
  :host([hidden]),
  [hidden] {
    display: none !important;
  }
  button {
    display: inline-flex;
    align-items: center;
    gap: 0.5em;
    min-height: 44px;
    padding: var(--linkaja-pay-padding, 0.6em 1.4em);
    /* Bold and at least 14pt: white on LinkAja red then meets WCAG's large-text contrast. */
    font: inherit;
    font-size: var(--linkaja-pay-font-size, max(1.2rem, 19px));
    font-weight: 700;
    color: var(--linkaja-pay-text-color, #fff);
    background: var(--linkaja-pay-color, #e82127);
    /* Transparent, yet drawn in forced-colors mode, so the button keeps its outline there. */
    border: 2px solid transparent;
    border-radius: var(--linkaja-pay-radius, 0.5em);
    cursor: pointer;
  }
  /* Pointers that hover only: a tap would leave a phone's button looking pressed when the customer returns. */
  @media (hover: hover) {
    button:hover {
      background: var(--linkaja-pay-hover-color, #c8151b);
    }
  }
  button:focus-visible {
    outline: 3px solid var(--linkaja-pay-focus-color, #1f1f1f);
    outline-offset: 2px;
  }
  button[aria-busy='true'] {
    cursor: progress;
  }
  button[aria-busy='true']::before {
    content: '';
    width: 0.9em;
    height: 0.9em;
    border: 0.15em solid currentColor;
    border-right-color: transparent;
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
  }
  button:disabled {
    cursor: default;
    background: var(--linkaja-pay-paid-color, #1e7b34);
  }
  @keyframes spin {
    to {
      transform: rotate(1turn);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    button[aria-busy='true']::before {
      animation-duration: 3s;
    }
  }
  [part='status'],
  [part='message'] {
    margin: 0.5em 0 0;
  }
  [part='message'] {
    color: var(--linkaja-pay-error-color, #b0121a);
  }
  @media (forced-colors: active) {
    button:focus-visible {
      outline-color: Highlight;
    }
    [part='message'] {
      color: CanvasText;
    }
  }
`;
