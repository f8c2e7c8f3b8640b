// Builds the map page into ../api/assets/map/ (committed, embedded in the digonce binary):
// app.js + app.css (our code + MapLibre, minified ESM), MapLibre's worker and licence,
// and index.html (a template: the server fills {{plan_id}} and the {{..._v}} cache keys).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const out = here('../api/assets/map/');
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) rmSync(`${out}/${f}`);

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
