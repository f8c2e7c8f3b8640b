// Builds the map page into ../api/assets/map/ (committed, embedded in the digonce binary):
// app.js + app.css (our code + MapLibre, minified ESM), MapLibre's worker and licence,
// and index.html (a template: the server fills {{plan_id}} and the {{..._v}} cache keys).
// `node build.mjs --out DIR` writes into DIR instead, which must be new or empty (the
// check that the committed bundle is a fresh build compares the two).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const outFlag = process.argv.indexOf('--out');
if (outFlag !== -1 && !process.argv[outFlag + 1]) throw new Error('--out needs a directory');
const out = outFlag === -1 ? here('../api/assets/map/') : resolve(process.argv[outFlag + 1]);
mkdirSync(out, { recursive: true });
if (outFlag === -1) {
  for (const f of readdirSync(out)) rmSync(`${out}/${f}`);
} else if (readdirSync(out).length > 0) {
  throw new Error(`--out ${out} is not empty`);
}

await build({
  entryPoints: { app: here('src/main.js') },
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['es2022'],
  outdir: out,
  legalComments: 'eof',
  logLevel: 'info',
});
copyFileSync(here('node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs'), `${out}/maplibre-gl-worker.mjs`);
copyFileSync(here('node_modules/maplibre-gl/LICENSE.txt'), `${out}/maplibre-gl.LICENSE.txt`);
copyFileSync(here('src/index.html'), `${out}/index.html`);
console.log('built', readdirSync(out).join(', '));
