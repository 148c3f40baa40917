// Gzips each built widget bundle, prints a table, and fails if the ES bundle is over budget.
// Run after `npm run build` (npm test does).
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const KB = 1024;
const BUNDLES = [
  { file: 'dist/linkaja-pay.js', limit: 11 * KB, goal: 10 * KB },
  { file: 'dist/linkaja-pay.iife.js', limit: undefined, goal: 10 * KB },
];
const kb = (n) => `${(n / KB).toFixed(2)} KB`;

let failed = false;
const rows = [];
for (const { file, limit, goal } of BUNDLES) {
  if (!existsSync(file)) {
    console.error(`${file} is missing: run \`npm run build\` first.`);
    process.exit(1);
  }
  const raw = readFileSync(file);
  const gzip = gzipSync(raw, { level: 9 }).length;
  const over = limit !== undefined && gzip > limit;
  failed ||= over;
  rows.push({
    bundle: file,
    raw: kb(raw.length),
    gzip: kb(gzip),
    limit: limit === undefined ? '-' : kb(limit),
    goal: `${kb(goal)} (${gzip <= goal ? 'met' : `${kb(gzip - goal)} over`})`,
    result: over ? 'FAIL' : 'ok',
  });
}
console.table(rows);
if (failed) {
  console.error('The ES bundle is over its 11 KB gzip budget.');
  process.exit(1);
}
