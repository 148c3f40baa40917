// custom-elements.json for editors and docs tools: <linkaja-pay>'s attributes, events, parts and CSS
// properties, read from the element's JSDoc. Written to dist/ beside the bundles by `npm run build`.
export default {
  globs: ['widget/linkaja-pay.ts', 'widget/index.ts'],
  outdir: 'dist',
  litelement: true,
  // package.json names dist/custom-elements.json itself; the contract test analyses into a temp dir and must not rewrite it.
  packagejson: false,
};
