// The framed merchant page: points the element at the BFF given in the query, then loads the element.
document.querySelector('linkaja-pay').setAttribute('bff', new URL(location.href).searchParams.get('bff'));
await import('../../widget/index.ts');
