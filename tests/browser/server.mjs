// A tiny stand-in for the digonce server, for working on the map page without building
// Rust, and for the cases the real binary cannot show in a test (a GCJ-02 basemap, a
// token-protected plan, a 2,000-compound city without planning it): the same routes as
// api/src/map.rs plus the overlay endpoint backed by fixtures. CI tests the page against
// the real binary (digonce.mjs). `node server.mjs [port]` serves until killed.
//
//   /map/{plan_id}          index.html with {{plan_id}} and cache keys filled in
//   /map/assets/{file}      the built bundle from api/assets/map/
//   /map/config.json        MapConfig (tile_url null: plain background)
//   /v1/plans/{id}/overlay  p_demo: fixtures/overlay.json; p_unscheduled: the plan without
//                           a schedule; p_city2000: a generated 2,000-compound city;
//                           p_secret: p_demo behind `Authorization: Bearer letmein`

import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeOverlay } from './fixtures/make-overlay.mjs';

const ASSETS = fileURLToPath(new URL('../../api/assets/map/', import.meta.url));
const TYPES = {
  js: 'text/javascript; charset=utf-8', mjs: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8',
  txt: 'text/plain; charset=utf-8', html: 'text/html; charset=utf-8',
};

const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Overlay documents by plan id, generated lazily (the big city takes about a second). */
function overlays() {
  const cache = new Map();
  const make = {
    p_demo: () => readFileSync(new URL('./fixtures/overlay.json', import.meta.url)),
    p_secret: () => readFileSync(new URL('./fixtures/overlay.json', import.meta.url)),
    p_unscheduled: () => JSON.stringify(makeOverlay({ planId: 'p_unscheduled', scheduled: false })),
    p_city2000: () => JSON.stringify(makeOverlay({ compounds: 2000, worksPerCompound: 10, planId: 'p_city2000', seed: 7 })),
  };
  return (id) => {
    if (!make[id]) return null;
    if (!cache.has(id)) cache.set(id, make[id]());
    return cache.get(id);
  };
}

// A 1x1 PNG: the stand-in basemap tile (MapLibre scales it), so the basemap path is tested offline.
const TILE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/**
 * Starts the server on `port` (0: any free port); resolves to { url, close, requests }.
 * `config` is the MapConfig served at /map/config.json; a `tile_url` starting with `/`
 * is made absolute on this server (tiles are served at /tiles/{z}/{x}/{y}.png).
 */
export function startServer(port = 0, config = { tile_url: null, tile_crs: 'wgs84' }) {
  let mapConfig = config;
  const overlay = overlays();
  const requests = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    requests.push(url.pathname + url.search);
    const send = (status, type, body, headers = {}) => {
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(body);
    };
    let m;
    if (url.pathname === '/') {
      send(200, TYPES.html, '<a href="/map/p_demo">Demo city map</a>');
    } else if (url.pathname === '/map/config.json') {
      send(200, 'application/json', JSON.stringify(mapConfig), { 'cache-control': 'no-cache' });
    } else if (/^\/tiles\/\d+\/\d+\/\d+\.png$/.test(url.pathname)) {
      send(200, 'image/png', TILE);
    } else if ((m = url.pathname.match(/^\/map\/assets\/([A-Za-z0-9._-]+)$/)) && m[1] !== 'index.html') {
      try {
        const body = readFileSync(ASSETS + m[1]);
        send(200, TYPES[m[1].split('.').pop()] ?? 'application/octet-stream', body, { 'cache-control': 'no-cache' });
      } catch {
        send(404, TYPES.txt, 'no such asset');
      }
    } else if ((m = url.pathname.match(/^\/map\/([^/]+)$/))) {
      const html = readFileSync(`${ASSETS}index.html`, 'utf8')
        .replaceAll('{{plan_id}}', escapeHtml(decodeURIComponent(m[1])))
        .replace(/\{\{\w+_v\}\}/g, 'dev');
      send(200, TYPES.html, html, { 'cache-control': 'no-cache' });
    } else if ((m = url.pathname.match(/^\/v1\/plans\/([^/]+)\/overlay$/))) {
      if (m[1] === 'p_secret' && req.headers.authorization !== 'Bearer letmein') {
        send(401, 'application/json', JSON.stringify({ error: 'unauthorized' }));
        return;
      }
      const body = overlay(m[1]);
      if (body) send(200, 'application/geo+json', body);
      else send(404, 'application/json', JSON.stringify({ error: 'no such plan' }));
    } else {
      send(404, TYPES.txt, 'not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      if (mapConfig.tile_url?.startsWith('/')) mapConfig = { ...mapConfig, tile_url: `http://127.0.0.1:${p}${mapConfig.tile_url}` };
      resolve({ url: `http://127.0.0.1:${p}`, requests, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await startServer(Number(process.argv[2] ?? 8088));
  console.log(`serving the map page at ${s.url}/map/p_demo`);
}
