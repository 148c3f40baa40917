// Builds the <linkaja-pay> bundles: dist/linkaja-pay.js (ES module) and dist/linkaja-pay.iife.js
// (classic script), Lit inlined, minified, plus dist/sri.json with each bundle's SRI hash.
//
// The element declares its properties in `static properties`, not with decorators: Vite 8's Oxc
// leaves standard decorators in the output unlowered (Chromium cannot parse it and nothing warns),
// and without decorators the bundle carries no decorator helper at all.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { minify } from 'terser';
import { defineConfig, type Plugin } from 'vite';

const outDir = resolve(import.meta.dirname, 'dist');

/** Collapses the indentation inside html`` and css`` templates: it is bytes no browser needs. */
export function squeezeTemplates(code: string): string {
  return code.replace(/\b(html|css)`([^`]*)`/g, (_all, tag: string, body: string) => {
    let out = body.replace(/\s*\n\s*/g, ' ');
    // Whitespace between tags and child bindings is no content in these templates (no inline text runs).
    if (tag === 'html') out = out.replace(/>\s+(?=<|\$\{)/g, '>').replace(/\}\s+</g, '}<');
    if (tag === 'css')
      out = out
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\s*([{};,>])\s*/g, '$1')
        .replace(/:\s+/g, ':')
        .replace(/;}/g, '}')
        .replace(/\[([\w-]+)='([\w-]+)'\]/g, '[$1=$2]')
        .replace(/\b0\.(\d)/g, '.$1')
        .trim();
    return `${tag}\`${out}\``;
  });
}

const squeeze = (): Plugin => ({
  name: 'linkaja-pay:squeeze-templates',
  enforce: 'pre',
  transform(code, id) {
    return /\/widget\/[^/]+\.ts$/.test(id) ? { code: squeezeTemplates(code), map: null } : null;
  },
});

/**
 * Lib-mode ES output keeps its whitespace (for pure annotations); this bundle is final, so squeeze it.
 * Terser, two passes: about 0.15 KB gzip smaller than esbuild's minifier on this bundle (budget: 11 KB).
 */
const minifyEs = (): Plugin => ({
  name: 'linkaja-pay:minify-es',
  async generateBundle(options, bundle) {
    if (options.format !== 'es') return;
    for (const chunk of Object.values(bundle)) {
      if (chunk.type !== 'chunk') continue;
      const { code } = await minify(chunk.code, {
        module: true,
        ecma: 2022,
        toplevel: true,
        compress: { passes: 2 },
        format: { comments: false },
      });
      chunk.code = code!;
    }
  },
});

/** sha384 of every bundle, for `<script integrity>`: written to dist/sri.json and printed. */
const sri = (): Plugin => {
  const hashes: Record<string, string> = {};
  return {
    name: 'linkaja-pay:sri',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        hashes[chunk.fileName] = `sha384-${createHash('sha384').update(chunk.code).digest('base64')}`;
      }
    },
    writeBundle() {
      writeFileSync(resolve(outDir, 'sri.json'), `${JSON.stringify(hashes, null, 2)}\n`);
    },
    closeBundle() {
      for (const [file, hash] of Object.entries(hashes)) console.log(`SRI ${file}: ${hash}`);
    },
  };
};

export default defineConfig({
  plugins: [squeeze(), minifyEs(), sri()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    lib: {
      entry: resolve(import.meta.dirname, 'widget/index.ts'),
      name: 'LinkajaPay',
      formats: ['es', 'iife'],
      fileName: (format) => (format === 'es' ? 'linkaja-pay.js' : 'linkaja-pay.iife.js'),
    },
  },
});
