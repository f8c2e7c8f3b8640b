// Real-browser test of the map page: Debian chromium driven by playwright-core.
//
//   DIGONCE_BIN=target/debug/digonce node --test --test-concurrency=1 tests/browser/map.test.mjs
//
// With DIGONCE_BIN (what scripts/test and CI run) it starts the REAL binary (`digonce demo`
// on a free port, temporary database, a generated city of DIGONCE_COMPOUNDS compounds
// planned with a DIGONCE_TIME_LIMIT-second search, see digonce.mjs) and tests its page.
// With DIGONCE_URL=http://127.0.0.1:PORT it tests a running server instead, on plan
// DIGONCE_PLAN, sending DIGONCE_TOKEN as the bearer token if set. With neither it starts
// the Node stand-in (server.mjs) over fixtures, for working on the page alone. Expected
// counts always come from the server's own overlay document. The performance case runs
// on DIGONCE_BIG_PLAN (default p_city2000 on the stand-in server). It prints timings and
// writes a screenshot to DIGONCE_SCREENSHOT, by default docs/screenshot-map.png with
// DIGONCE_BIN and the system temporary directory otherwise.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';
import { startDigonce } from './digonce.mjs';
import { dayOf, statusAt, STATUS_NAMES } from '../../web/src/status.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const BIN = process.env.DIGONCE_BIN ?? null;
// The README's screenshot comes from the real binary only; other runs write to /tmp.
const SCREENSHOT = process.env.DIGONCE_SCREENSHOT ?? (BIN
  ? fileURLToPath(new URL('../../docs/screenshot-map.png', import.meta.url))
  : join(tmpdir(), 'digonce-screenshot-map.png'));
const local = !process.env.DIGONCE_URL && !BIN;
let PLAN = process.env.DIGONCE_PLAN ?? 'p_demo';
let UNSCHEDULED = local ? 'p_unscheduled' : (process.env.DIGONCE_UNSCHEDULED_PLAN ?? null);
let ADVISED = process.env.DIGONCE_ADVISED_PLAN ?? null;
const BIG_PLAN = process.env.DIGONCE_BIG_PLAN ?? (local ? 'p_city2000' : null);
const TOKEN = process.env.DIGONCE_TOKEN ?? null;

let server = null;
let base = process.env.DIGONCE_URL?.replace(/\/$/, '');
let context = null;
let profile = null;
let overlay = null; // the overlay document as the API serves it, for expected counts

before(async () => {
  if (BIN) {
    server = await startDigonce({
      bin: BIN,
      compounds: Number(process.env.DIGONCE_COMPOUNDS ?? 24),
      timeLimit: Number(process.env.DIGONCE_TIME_LIMIT ?? 3),
    });
    base = server.url;
    PLAN = server.plan;
    UNSCHEDULED = server.unscheduled;
    ADVISED = server.advised;
  } else if (local) {
    server = await startServer();
    base = server.url;
  }
  const res = await fetch(`${base}/v1/plans/${PLAN}/overlay`, { headers: TOKEN ? { authorization: `Bearer ${TOKEN}` } : {} });
  assert.equal(res.status, 200, `overlay of ${PLAN} from ${base}`);
  overlay = await res.json();
  profile = mkdtempSync(join(tmpdir(), 'digonce-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1400, height: 850 },
  });
});

after(async () => {
  await context?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Opens the page for `plan`, records every request, waits until the map is drawn. */
async function open(plan, query = '') {
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  // English unless asked otherwise: the profile keeps the last language in localStorage.
  const params = new URLSearchParams(query);
  if (!params.has('lang')) params.set('lang', 'en');
  if (TOKEN && !params.has('token')) params.set('token', TOKEN);
  await page.goto(`${base}/map/${plan}?${params}`);
  await page.waitForFunction(() => window.__digonce?.ready || window.__digonce?.error, null, { timeout: 60000 });
  return { page, requests, errors };
}

const kindCounts = (doc) => {
  const c = { street: 0, compound: 0, moratorium_conflict: 0, trench: 0, work: 0, crossing: 0 };
  for (const f of doc.features) if (f.properties.kind in c && f.geometry) c[f.properties.kind] += 1;
  return c;
};

/** Work statuses at `iso` computed here from the document, by the same rules as the page. */
function expectedWorkStatus(doc, iso) {
  const day = dayOf(iso);
  const counts = Object.fromEntries(STATUS_NAMES.map((s) => [s, 0]));
  for (const f of doc.features) {
    if (f.properties.kind !== 'work' || !f.geometry) continue;
    const p = f.properties;
    counts[STATUS_NAMES[statusAt(day, dayOf(p.start), dayOf(p.end), dayOf(p.deadline))]] += 1;
  }
  return counts;
}

const midDate = (doc) => new Date((Date.parse(doc.overlay.start) + Date.parse(doc.overlay.end)) / 2).toISOString().slice(0, 10);

test('the page draws every kind of feature of the plan and fetches nothing outside the server', async () => {
  const { page, requests, errors } = await open(PLAN);
  const dbg = await page.evaluate(() => ({ error: window.__digonce.error, counts: window.__digonce.counts }));
  assert.equal(dbg.error, null);
  assert.deepEqual(dbg.counts, kindCounts(overlay));
  // The sources hold every feature (all of the demo city is in view after fitting bounds).
  const inSources = await page.evaluate(() => {
    const m = window.__digonce.map;
    const ids = (src) => new Set(m.querySourceFeatures(src).map((f) => f.id)).size;
    return { compound: ids('compound'), work: ids('work'), trench: ids('trench'), crossing: ids('crossing') };
  });
  const want = kindCounts(overlay);
  assert.deepEqual(inSources, { compound: want.compound, work: want.work, trench: want.trench, crossing: want.crossing });
  const rendered = await page.evaluate(() => window.__digonce.map.queryRenderedFeatures({ layers: ['compound-fill', 'work-line'] }).length);
  assert.ok(rendered > 0, 'features are rendered on the canvas');
  const outside = requests.filter((u) => !u.startsWith(base) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(outside, [], 'no request leaves the server');
  assert.deepEqual(errors, []);
  await page.close();
});

test('moving the timeline changes what is being dug, done and late, as the dates say', async () => {
  const { page } = await open(PLAN);
  const start = overlay.overlay.start;
  const mid = midDate(overlay);
  const at = async (iso) => page.evaluate((d) => { window.__digonce.setDate(d); return { date: window.__digonce.date, work: window.__digonce.status.work }; }, iso);
  const s0 = await at(start);
  const s1 = await at(mid);
  assert.equal(s1.date, mid);
  assert.deepEqual(s0.work, expectedWorkStatus(overlay, start));
  assert.deepEqual(s1.work, expectedWorkStatus(overlay, mid));
  assert.notEqual(s0.work.in_progress, s1.work.in_progress, 'the number of works being dug changes');
  assert.ok(s1.work.done > s0.work.done, 'more works are done later in the season');
  // The map's feature-state follows: a work being dug at `mid` carries status 2.
  const featureState = await page.evaluate(() => {
    const m = window.__digonce.map;
    const f = m.querySourceFeatures('work').find((x) => m.getFeatureState({ source: 'work', id: x.id }).st === 2);
    return f ? window.__digonce.featureId('work', f.id) : null;
  });
  const busy = overlay.features.find((f) => f.properties.kind === 'work' && f.properties.id === featureState)?.properties;
  assert.ok(busy && busy.start <= mid && mid <= busy.end, `in-progress work ${featureState} spans ${mid}`);
  // The slider is the user's control: End jumps to the last day.
  await page.focus('#slider');
  await page.keyboard.press('End');
  const end = await page.evaluate(() => window.__digonce.date);
  assert.equal(end, overlay.overlay.end);
  // Play advances the date, pause stops it.
  await page.keyboard.press('Home');
  await page.click('#play');
  await page.waitForTimeout(700);
  await page.click('#play');
  const played = await page.evaluate(() => window.__digonce.date);
  assert.ok(played > start, `playing moved the date from ${start} to ${played}`);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__digonce.date), played, 'pause holds the date');
  await page.close();
});

test('clicking a feature shows its properties and dates; a trench highlights its partners', async () => {
  const { page } = await open(PLAN);
  const mid = midDate(overlay);
  await page.evaluate((d) => window.__digonce.setDate(d), mid);
  // A real mouse click on a spot where a compound is the topmost clickable feature (works
  // and compound tasks are drawn over compounds; the map decides what is on top).
  const compounds = overlay.features.filter((f) => f.properties.kind === 'compound' && f.geometry.type === 'Polygon');
  const target = await page.evaluate((rings) => {
    const m = window.__digonce.map;
    const layers = ['crossing-point', 'work-point', 'work-line', 'work-fill', 'trench-line', 'moratorium-conflict', 'moratorium-street', 'compound-fill', 'street-line'];
    const r = m.getCanvas().getBoundingClientRect();
    for (const [index, ring] of rings.entries()) {
      const xs = ring.map((c) => c[0]);
      const ys = ring.map((c) => c[1]);
      const [w, e, s, n] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      for (const fy of [0.5, 0.3, 0.7]) {
        for (const fx of [0.15, 0.3, 0.5, 0.7, 0.85]) {
          const p = m.project([w + fx * (e - w), s + fy * (n - s)]);
          const hit = m.queryRenderedFeatures(p, { layers })[0];
          if (hit?.source === 'compound' && window.__digonce.featureId('compound', hit.id) !== null) {
            return { index: hit.id, x: r.left + p.x, y: r.top + p.y, ring: index };
          }
        }
      }
    }
    return null;
  }, compounds.map((f) => f.geometry.coordinates[0]));
  assert.ok(target, 'some compound is clickable');
  const compoundId = await page.evaluate((i) => window.__digonce.featureId('compound', i), target.index);
  const compound = overlay.features.find((f) => f.properties.kind === 'compound' && f.properties.id === compoundId);
  const [x, y] = [target.x, target.y];
  await page.mouse.click(x, y);
  const popup = page.locator('.maplibregl-popup .popup');
  await popup.waitFor({ timeout: 5000 });
  const text = await popup.innerText();
  assert.ok(text.includes(compound.properties.name), `popup names ${compound.properties.name}: ${text}`);
  assert.ok(text.includes('Finish by'), 'popup lists the deadline');
  const trench = overlay.features.find((f) => f.properties.kind === 'trench');
  if (trench) {
    assert.ok(await page.evaluate((id) => window.__digonce.select('trench', id), trench.properties.id));
    const t2 = await popup.innerText();
    for (const w of trench.properties.works) assert.ok(t2.includes(w), `trench popup lists ${w}`);
    const lit = await page.evaluate(() => {
      const m = window.__digonce.map;
      return m.querySourceFeatures('work').filter((f) => m.getFeatureState({ source: 'work', id: f.id }).hl).map((f) => window.__digonce.featureId('work', f.id));
    });
    assert.deepEqual([...new Set(lit)].sort(), [...trench.properties.works].sort(), 'partner works are highlighted');
  }
  await page.close();
});

test('the page switches to Chinese, formats dates in that locale and groups the list by utility', async () => {
  const { page } = await open(PLAN);
  await page.evaluate((d) => window.__digonce.setDate(d), midDate(overlay));
  const enDate = await page.textContent('#date-label');
  await page.click('#lang');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  const zhDate = await page.textContent('#date-label');
  assert.notEqual(zhDate, enDate);
  assert.match(zhDate, /\d{4}年\d{1,2}月\d{1,2}日/);
  assert.match(await page.textContent('#counts'), /施工中/);
  await page.selectOption('#group-by', 'utility');
  const groups = await page.$$eval('.g-group .g-label', (els) => els.map((e) => e.textContent));
  assert.ok(groups.some((g) => g.startsWith('供水')), `utility groups in Chinese: ${groups.join(' | ')}`);
  const rows = await page.$$eval('.g-row:not(.g-group):not(.g-more)', (els) => els.length);
  assert.ok(rows > 0 && rows <= 40 * groups.length, `the list is capped (${rows} rows)`);
  // The screenshot: Chinese page mid-season, with a shared trench selected.
  const trench = overlay.features.find((f) => f.properties.kind === 'trench');
  if (trench) {
    await page.evaluate((id) => window.__digonce.select('trench', id), trench.properties.id);
    await page.evaluate(() => window.__digonce.map.jumpTo({ zoom: window.__digonce.map.getZoom() - 0.8 }));
  }
  await page.evaluate(() => new Promise((r) => { window.__digonce.map.once('idle', r); setTimeout(r, 3000); }));
  mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
  await page.close();
});

test('a plan without a schedule shows the plan alone', { skip: !UNSCHEDULED && !BIN && 'set DIGONCE_UNSCHEDULED_PLAN' }, async () => {
  const { page } = await open(UNSCHEDULED);
  const dbg = await page.evaluate(() => ({ status: window.__digonce.status.work, notice: document.getElementById('notice').textContent }));
  assert.ok(dbg.status.unscheduled > 0);
  assert.equal(dbg.status.in_progress + dbg.status.done, 0);
  assert.match(dbg.notice, /No schedule/);
  assert.equal(await page.evaluate(() => document.getElementById('advice').hidden), true);
  await page.close();
});

test('a plan that misses a hard deadline shows the changes that would make it hold', { skip: !ADVISED && !BIN && 'set DIGONCE_ADVISED_PLAN' }, async () => {
  const served = await (await fetch(`${base}/v1/plans/${ADVISED}/overlay`, { headers: TOKEN ? { authorization: `Bearer ${TOKEN}` } : {} })).json();
  const { advice, hard_deadlines_missed: missed } = served.overlay;
  assert.ok(missed > 0 && advice.changes.length > 0, JSON.stringify(served.overlay));
  const { page } = await open(ADVISED);
  assert.equal(await page.evaluate(() => document.getElementById('advice').hidden), false);
  await page.click('#advice summary');
  const items = await page.$$eval('#advice li.adv-change', (els) => els.map((e) => e.textContent));
  assert.equal(items.length, advice.changes.length);
  advice.changes.forEach((c, i) => assert.ok(items[i].includes(c.description), `${items[i]} names ${c.description}`));
  assert.match(await page.textContent('#advice .adv-head'), new RegExp(`^${missed} hard deadlines missed`));
  // A change's subject that is a feature of the plan focuses it on the map.
  // too-short.geojson's advice is about its one work, a feature of the plan.
  const linked = advice.changes.find((c) => served.features.some((f) => f.properties.id === c.subject));
  assert.ok(linked, `a change names a feature: ${JSON.stringify(advice.changes)}`);
  await page.click(`#advice a[data-subject="${linked.subject}"]`);
  await page.waitForSelector('.maplibregl-popup');
  assert.match(await page.textContent('.maplibregl-popup'), new RegExp(linked.subject));
  await page.close();
});

test('a protected plan needs its token', { skip: !local && 'stand-in server only' }, async () => {
  const denied = await open('p_secret');
  assert.match(await denied.page.evaluate(() => window.__digonce.error), /token/);
  await denied.page.close();
  const allowed = await open('p_secret', '?token=letmein');
  assert.equal(await allowed.page.evaluate(() => window.__digonce.error), null);
  await allowed.page.close();
});

test('with a GCJ-02 basemap configured, the page draws its tiles and asks for GCJ-02 overlays', { skip: !local && 'stand-in server only' }, async () => {
  const gcj = await startServer(0, { tile_url: '/tiles/{z}/{x}/{y}.png', tile_crs: 'gcj02' });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${gcj.url}/map/p_demo?lang=en`);
  await page.waitForFunction(() => window.__digonce?.ready || window.__digonce?.error, null, { timeout: 60000 });
  assert.equal(await page.evaluate(() => window.__digonce.error), null);
  assert.ok(requests.some((u) => u.endsWith('/v1/plans/p_demo/overlay?crs=gcj02')), requests.join('\n'));
  assert.ok(requests.some((u) => u.includes('/tiles/')), 'basemap tiles are requested');
  assert.ok(await page.evaluate(() => window.__digonce.map.getLayer('basemap') !== undefined));
  await page.close();
  await gcj.close();
});

test('a 2,000-compound city renders and the timeline ticks without rebuilding sources', { skip: !BIG_PLAN && 'set DIGONCE_BIG_PLAN' }, async (t) => {
  const t0 = Date.now();
  const { page } = await open(BIG_PLAN);
  const wall = Date.now() - t0;
  const info = await page.evaluate(() => ({ counts: window.__digonce.counts, timings: window.__digonce.timings }));
  const big = await (await fetch(`${base}/v1/plans/${BIG_PLAN}/overlay`, { headers: TOKEN ? { authorization: `Bearer ${TOKEN}` } : {} })).json();
  assert.deepEqual(info.counts, kindCounts(big), 'every feature of the server\'s overlay is drawn');
  assert.ok(info.counts.compound >= 2000, JSON.stringify(info.counts));
  const ticks = await page.evaluate(async () => {
    const d = window.__digonce;
    const m = d.map;
    const setData = m.getSource('work').setData;
    let rebuilds = 0;
    m.getSource('work').setData = (...a) => { rebuilds += 1; return setData.apply(m.getSource('work'), a); };
    const start = Date.parse(d.date);
    const out = [];
    for (let i = 1; i <= 20; i += 1) {
      const iso = new Date(start + i * 7 * 86400000).toISOString().slice(0, 10);
      const t1 = performance.now();
      d.setDate(iso);
      const js = performance.now() - t1;
      await new Promise((r) => { m.once('idle', r); setTimeout(r, 5000); });
      out.push({ js, drawn: performance.now() - t1, inProgress: d.status.work.in_progress });
    }
    // Baseline: a repaint with nothing changed, i.e. what drawing this view costs at all.
    const repaint = [];
    for (let i = 0; i < 5; i += 1) {
      const t1 = performance.now();
      m.triggerRepaint();
      await new Promise((r) => { m.once('idle', r); setTimeout(r, 5000); });
      repaint.push(performance.now() - t1);
    }
    return { out, rebuilds, repaint };
  });
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const js = median(ticks.out.map((x) => x.js));
  const drawn = median(ticks.out.map((x) => x.drawn));
  const repaint = median(ticks.repaint);
  assert.equal(ticks.rebuilds, 0, 'ticks never call setData');
  assert.ok(new Set(ticks.out.map((x) => x.inProgress)).size > 1, 'what is being dug changes over the season');
  const line = `city ${BIG_PLAN}: ${info.counts.compound} compounds, ${info.counts.work} works; `
    + `overlay fetched+parsed ${info.timings.overlay_ms.toFixed(0)} ms, first render ${info.timings.first_render_ms.toFixed(0)} ms after navigation `
    + `(map ${info.timings.map_ms.toFixed(0)} ms, wall ${wall} ms); tick median: script ${js.toFixed(1)} ms, until drawn ${drawn.toFixed(0)} ms (20 ticks); plain repaint median ${repaint.toFixed(0)} ms`;
  t.diagnostic(line);
  console.log(line);
  await page.close();
});

test('the progress layer sets today to the data date, colours by reported status and ranks districts', async () => {
  const res = await fetch(`${base}/v1/plans/${PLAN}/progress/map`, { headers: TOKEN ? { authorization: `Bearer ${TOKEN}` } : {} });
  const { page, errors } = await open(PLAN);
  await page.waitForFunction(() => window.__digonce.progress !== undefined, null, { timeout: 30000 });
  const shown = await page.evaluate(() => window.__digonce.progress);
  if (res.status !== 200) {
    // No progress stored (the stand-in server): nothing is added.
    assert.equal(shown, null);
    assert.equal(await page.locator('#progress-panel').count(), 0);
    await page.close();
    return;
  }
  const doc = await res.json();
  assert.equal(shown.as_of, doc.as_of);
  assert.deepEqual(shown.counts, doc.counts);
  const drawn = new Set(overlay.features.filter((f) => f.properties.kind === 'work' && f.geometry).map((f) => f.properties.id));
  assert.equal(shown.colored.work, doc.units.filter((u) => u.kind === 'work' && drawn.has(u.id)).length);
  if (doc.as_of >= overlay.overlay.start && doc.as_of <= overlay.overlay.end) {
    assert.equal(await page.evaluate(() => window.__digonce.date), doc.as_of, "the timeline's today is the data date");
  }
  assert.equal(await page.locator('#progress-ranking li').count(), doc.ranking.length);
  assert.equal(await page.locator('#progress-ranking li').first().getAttribute('data-district'), doc.ranking[0].district);
  // The toggle shows the status layers; a late work carries state 2 (late).
  await page.click('#progress-toggle');
  const after = await page.evaluate(() => {
    const m = window.__digonce.map;
    const late = m.querySourceFeatures('work').filter((x) => m.getFeatureState({ source: 'work', id: x.id }).ps === 2);
    return { visible: m.getLayoutProperty('progress-work', 'visibility'), late: new Set(late.map((f) => window.__digonce.featureId('work', f.id))).size };
  });
  assert.equal(after.visible, 'visible');
  const lateDrawn = doc.units.filter((u) => u.kind === 'work' && u.status === 'late' && drawn.has(u.id)).length;
  assert.equal(after.late, lateDrawn);
  // Chinese labels.
  await page.evaluate(() => window.__digonce.setLang('zh-CN'));
  assert.match(await page.locator('#progress-panel').innerText(), /区县进度排名/);
  assert.deepEqual(errors, []);
  await page.close();
});
