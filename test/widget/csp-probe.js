// Runs first on /strict-csp.html: records CSP violations and errors, then reports what the built
// element rendered to the test page.
const violations = [];
const errors = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
addEventListener('error', (e) => errors.push(String(e.message)));
addEventListener('load', async () => {
  await customElements.whenDefined('linkaja-pay');
  const el = document.querySelector('linkaja-pay');
  await el.updateComplete;
  const button = el.shadowRoot.querySelector('button');
  const styled = [...el.shadowRoot.querySelectorAll('[style]')].length;
  const csp = {
    violations,
    errors,
    styled,
    text: button.textContent.trim(),
    background: getComputedStyle(button).backgroundColor,
  };
  parent.postMessage({ csp }, '*');
});
