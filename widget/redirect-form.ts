// DOKU's redirect as a real HTML form: method, action and every parameter exactly as the BFF gave them.
import type { Redirect } from '../shared/api.ts';

export function buildRedirectForm(redirect: Redirect): HTMLFormElement {
  const form = document.createElement('form');
  form.setAttribute('method', redirect.method);
  form.setAttribute('action', redirect.url);
  form.acceptCharset = 'UTF-8';
  form.hidden = true;
  for (const { name, value } of redirect.parameters) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  return form;
}
