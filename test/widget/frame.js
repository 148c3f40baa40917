// The framed merchant page: points the element at the BFF given in the query (and, with ?base=, gives
// the page a <base target> as some sites have), then loads the element.
const query = new URL(location.href).searchParams;
document.querySelector('linkaja-pay').setAttribute('bff', query.get('bff'));
if (query.get('base'))
  document.head.append(Object.assign(document.createElement('base'), { target: query.get('base') }));
await import('../../widget/index.ts');
