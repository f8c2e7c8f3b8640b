// The digonce map page: a plan's overlay (docs/http-api.md#map-overlay) on MapLibre, a
// timeline that recomputes statuses client-side, and a Gantt-like list. Fully offline: no
// glyphs, no sprites, no basemap unless the server's /map/config.json names a tile URL.

import { Map as MapLibre, Popup, NavigationControl, ScaleControl, setWorkerUrl } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import { LANGS, setLang, getLang, t, has, fmtDate, fmtLongDate } from './i18n.js';
import { addVillages } from './villages.js';
import { addProgressLayer } from './progress-layer.js';
import { dayOf, isoOf, dateOf, sweep, STATUS_NAMES, UNSCHEDULED, PLANNED, IN_PROGRESS, DONE, LATE } from './status.js';

const KINDS = ['street', 'compound', 'moratorium_conflict', 'trench', 'work', 'crossing'];
const TIMED = ['compound', 'work', 'trench'];
const UTILITY_COLORS = {
  water: '#1f78b4', drainage: '#33a02c', sewer: '#6a3d9a', power: '#e31a1c', gas: '#ff7f00',
  heat: '#b15928', telecom: '#0099cc',
};
const CLASS_COLORS = { basic: '#8dd3c7', beautify: '#b3de69', upgrade: '#fdb462', integrate: '#bc80bd' };
const STATUS_COLORS = ['#bbbbbb', '#7f7f7f', '#ff8c00', '#2ca02c', '#d62728'];
const GANTT_CAP = 40; // rows drawn per group: keeps the list fast for 20,000 works
const $ = (id) => document.getElementById(id);

/** Debug and test surface: counts, current date, timings, and a few controls. */
const dbg = {
  ready: false, error: null, planId: null, date: null, counts: {}, status: {},
  timings: {}, ticks: 0, map: null,
};
window.__digonce = dbg;

const state = {
  overlay: null, byKind: {}, timed: {}, day: 0, startDay: 0, endDay: 0,
  groupBy: 'district', playing: null, popup: null, selected: null, highlighted: [],
  ganttRows: [], config: { tile_url: null, tile_crs: 'wgs84' },
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'style') node.style.cssText = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function planIdFromPage() {
  const meta = document.querySelector('meta[name="digonce-plan"]')?.content;
  if (meta && !meta.startsWith('{{')) return meta;
  const parts = location.pathname.split('/').filter(Boolean);
  return decodeURIComponent(parts.at(-1) ?? '');
}

/** The API root: the page lives at `<root>map/{plan_id}`, the API at `<root>v1/...`. */
function apiRoot() {
  return location.pathname.replace(/map\/[^/]*\/?$/, '');
}

function token() {
  const fromUrl = new URLSearchParams(location.search).get('token');
  try {
    if (fromUrl) localStorage.setItem('digonce.token', fromUrl);
    return fromUrl ?? localStorage.getItem('digonce.token');
  } catch {
    return fromUrl;
  }
}

async function loadConfig() {
  try {
    const res = await fetch('config.json', { headers: { accept: 'application/json' } });
    if (res.ok) Object.assign(state.config, await res.json());
  } catch {
    // No config: plain background, WGS84 overlays.
  }
}

async function loadOverlay(planId) {
  const params = new URLSearchParams();
  if (state.config.tile_crs === 'gcj02') params.set('crs', 'gcj02');
  const query = params.toString();
  const url = `${apiRoot()}v1/plans/${encodeURIComponent(planId)}/overlay${query ? `?${query}` : ''}`;
  const headers = { accept: 'application/geo+json, application/json' };
  const tok = token();
  if (tok) headers.authorization = `Bearer ${tok}`;
  const res = await fetch(url, { headers });
  if (res.status === 401 || res.status === 403) throw Object.assign(new Error(t('error_auth')), { key: 'error_auth' });
  if (res.status === 404) throw Object.assign(new Error(t('error_missing')), { key: 'error_missing' });
  if (!res.ok) throw new Error(`${t('error_other')}: HTTP ${res.status}`);
  return res.json();
}

/** Splits the overlay per kind, numbers features for feature-state, indexes dates. */
function prepare(doc) {
  const byKind = Object.fromEntries(KINDS.map((k) => [k, []]));
  for (const f of doc.features ?? []) {
    const kind = f?.properties?.kind;
    if (!byKind[kind] || !f.geometry) continue;
    byKind[kind].push(f);
  }
  for (const kind of KINDS) byKind[kind].forEach((f, i) => { f.id = i; });
  const workIndex = new Map(byKind.work.map((f) => [f.properties.id, f]));
  const timed = {};
  for (const kind of TIMED) {
    const list = byKind[kind];
    const n = list.length;
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    const deadlines = new Float64Array(n);
    list.forEach((f, i) => {
      const p = f.properties;
      starts[i] = dayOf(p.start);
      ends[i] = dayOf(p.end);
      if (kind === 'compound') deadlines[i] = dayOf(p.finish_by);
      else if (kind === 'work') deadlines[i] = dayOf(p.deadline);
      else {
        // A trench is late when the earliest deadline of the works it holds has passed.
        const ds = (p.works ?? []).map((w) => dayOf(workIndex.get(w)?.properties.deadline)).filter((x) => x === x);
        deadlines[i] = ds.length ? Math.min(...ds) : Number.NaN;
      }
    });
    timed[kind] = { starts, ends, deadlines, st: new Int8Array(n).fill(-1) };
  }
  return { byKind, timed, workIndex };
}

/**
 * What the map's worker needs of each feature: geometry, numeric id and the properties that
 * paint expressions read. The rest stays on this side for popups and the list, so a
 * 20,000-work city sends far less to the worker and tiles faster.
 */
function slim(kind, features) {
  const keep = { compound: ['class'], work: ['utility', 'color'], street: ['moratorium_until'] }[kind] ?? [];
  return features.map((f) => {
    const properties = {};
    for (const k of keep) if (f.properties[k] !== undefined) properties[k] = f.properties[k];
    return { type: 'Feature', id: f.id, geometry: f.geometry, properties };
  });
}

function bounds(byKind) {
  let [w, s, e, n] = [180, 90, -180, -90];
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      if (c[0] < w) w = c[0];
      if (c[0] > e) e = c[0];
      if (c[1] < s) s = c[1];
      if (c[1] > n) n = c[1];
    } else for (const x of c) visit(x);
  };
  for (const kind of KINDS) for (const f of byKind[kind]) if (f.geometry.coordinates) visit(f.geometry.coordinates);
  return w <= e ? [[w, s], [e, n]] : [[116.3, 39.85], [116.5, 39.95]];
}

const ST = ['coalesce', ['feature-state', 'st'], UNSCHEDULED];
const byStatus = (values) => ['match', ST, PLANNED, values[1], IN_PROGRESS, values[2], DONE, values[3], LATE, values[4], values[0]];
const HL = ['boolean', ['feature-state', 'hl'], false];
const utilityColor = ['coalesce', ['get', 'color'], ['match', ['get', 'utility'], ...Object.entries(UTILITY_COLORS).flat(), '#888888']];

function layers() {
  const geom = (...types) => ['in', ['geometry-type'], ['literal', types]];
  return [
    { id: 'street-line', type: 'line', source: 'street', paint: { 'line-color': '#cfd3d8', 'line-width': 3 } },
    { id: 'compound-fill', type: 'fill', source: 'compound', paint: {
      'fill-color': ['match', ['get', 'class'], ...Object.entries(CLASS_COLORS).flat(), '#cccccc'],
      'fill-opacity': byStatus([0.1, 0.22, 0.6, 0.38, 0.6]),
    } },
    { id: 'compound-outline', type: 'line', source: 'compound', paint: {
      'line-color': byStatus(STATUS_COLORS), 'line-width': byStatus([1, 1, 2.5, 1.5, 2.5]),
    } },
    { id: 'moratorium-street', type: 'line', source: 'street', filter: ['!=', ['get', 'moratorium_until'], null],
      paint: { 'line-color': '#d62728', 'line-width': 3, 'line-dasharray': [2, 1] } },
    { id: 'moratorium-conflict', type: 'line', source: 'moratorium_conflict',
      paint: { 'line-color': '#d62728', 'line-width': 9, 'line-opacity': 0.35 } },
    { id: 'trench-line', type: 'line', source: 'trench', paint: {
      'line-color': ['case', HL, '#ffd400', '#000000'],
      'line-width': ['case', HL, 12, 7], 'line-opacity': byStatus([0.5, 0.55, 0.9, 0.45, 0.9]),
    } },
    { id: 'work-late', type: 'line', source: 'work', filter: geom('LineString', 'MultiLineString'), paint: {
      'line-color': '#d62728', 'line-width': 7, 'line-opacity': ['match', ST, LATE, 0.75, 0],
    } },
    { id: 'work-fill', type: 'fill', source: 'work', filter: geom('Polygon', 'MultiPolygon'), paint: {
      'fill-color': utilityColor, 'fill-opacity': byStatus([0.08, 0.15, 0.55, 0.3, 0.55]),
      'fill-outline-color': byStatus(STATUS_COLORS),
    } },
    { id: 'work-line', type: 'line', source: 'work', filter: geom('LineString', 'MultiLineString'), paint: {
      'line-color': ['case', HL, '#ffd400', utilityColor],
      'line-width': ['case', HL, 5, byStatus([1, 1.5, 4, 2, 3])],
      'line-opacity': byStatus([0.25, 0.45, 1, 0.6, 1]),
    } },
    { id: 'work-point', type: 'circle', source: 'work', filter: geom('Point', 'MultiPoint'), minzoom: 13, paint: {
      'circle-color': utilityColor, 'circle-radius': byStatus([3, 3, 6, 4, 6]),
      'circle-stroke-color': byStatus(STATUS_COLORS), 'circle-stroke-width': 2,
    } },
    { id: 'crossing-point', type: 'circle', source: 'crossing', minzoom: 14, paint: {
      'circle-color': '#ffffff', 'circle-radius': 4, 'circle-stroke-color': '#333333', 'circle-stroke-width': 2,
    } },
  ];
}

const LAYER_GROUPS = {
  compound: ['compound-fill', 'compound-outline'],
  work: ['work-late', 'work-fill', 'work-line', 'work-point'],
  trench: ['trench-line'],
  street: ['street-line'],
  moratorium: ['moratorium-street', 'moratorium-conflict'],
  crossing: ['crossing-point'],
};
const CLICKABLE = ['crossing-point', 'work-point', 'work-line', 'work-fill', 'trench-line', 'moratorium-conflict', 'moratorium-street', 'compound-fill', 'street-line'];

function style() {
  const s = { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f1ea' } }] };
  if (state.config.tile_url) {
    s.sources.basemap = { type: 'raster', tiles: [state.config.tile_url], tileSize: 256, attribution: state.config.tile_attribution ?? '' };
    s.layers.push({ id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-opacity': 0.7 } });
  }
  return s;
}

// ---- timeline -------------------------------------------------------------------------

function setDay(day) {
  const t0 = performance.now();
  state.day = Math.max(state.startDay, Math.min(state.endDay, day));
  const map = dbg.map;
  for (const kind of TIMED) {
    const { starts, ends, deadlines, st } = state.timed[kind];
    const counts = sweep(state.day, starts, ends, deadlines, st, (id, s) => map.setFeatureState({ source: kind, id }, { st: s }));
    dbg.status[kind] = Object.fromEntries(STATUS_NAMES.map((name, i) => [name, counts[i]]));
  }
  dbg.date = isoOf(state.day);
  dbg.ticks += 1;
  $('slider').value = String(state.day - state.startDay);
  $('date-label').textContent = fmtLongDate(dateOf(state.day));
  renderCounts();
  updateGantt();
  if (state.popup?.isOpen() && state.selected) showPopup(state.selected.kind, state.selected.index, state.popup.getLngLat());
  dbg.timings.last_tick_js_ms = performance.now() - t0;
}

function renderCounts() {
  const w = dbg.status.work ?? {};
  const c = dbg.status.compound ?? {};
  const chip = (status, n, unit) => el('span', { class: `chip st-${status}` }, `${t(`status_${status}`)} ${n} ${unit}`);
  $('counts').replaceChildren(
    chip('in_progress', w.in_progress ?? 0, t('works')), chip('done', w.done ?? 0, t('works')),
    chip('late', w.late ?? 0, t('works')), chip('planned', w.planned ?? 0, t('works')),
    el('span', { class: 'sep' }, '·'),
    chip('in_progress', c.in_progress ?? 0, t('compounds')), chip('late', c.late ?? 0, t('compounds')),
  );
}

function play() {
  if (state.playing) return;
  if (state.day >= state.endDay) setDay(state.startDay);
  state.playing = setInterval(() => {
    if (state.day >= state.endDay) pause();
    else setDay(state.day + 2);
  }, 100);
  $('play').textContent = `⏸ ${t('pause')}`;
}

function pause() {
  clearInterval(state.playing);
  state.playing = null;
  $('play').textContent = `▶ ${t('play')}`;
}

// ---- Gantt ----------------------------------------------------------------------------

function groupKey(p) {
  if (state.groupBy === 'district') return p.district ?? '—';
  return p.utility ?? 'other';
}

function groupLabel(key) {
  if (state.groupBy === 'utility') return has(`util_${key}`) ? t(`util_${key}`) : key;
  return key;
}

function workLabel(p) {
  const what = p.utility ? t(`util_${p.utility}`) : (p.trade ?? '');
  return `${p.id} ${what}`;
}

function buildGantt() {
  const works = state.byKind.work;
  const groups = new Map();
  for (const f of works) {
    const key = groupKey(f.properties);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(f.id);
  }
  const { starts, ends } = state.timed.work;
  const span = Math.max(1, state.endDay - state.startDay + 1);
  const pct = (d) => `${(100 * (d - state.startDay)) / span}%`;
  const container = $('gantt-rows');
  const frag = document.createDocumentFragment();
  state.ganttRows = [];
  const keys = [...groups.keys()].sort((a, b) => String(a).localeCompare(String(b)));
  for (const key of keys) {
    const ids = groups.get(key).sort((a, b) => (starts[a] || Infinity) - (starts[b] || Infinity));
    const scheduled = ids.filter((i) => starts[i] === starts[i]);
    const lo = scheduled.length ? Math.min(...scheduled.map((i) => starts[i])) : state.startDay;
    const hi = scheduled.length ? Math.max(...scheduled.map((i) => ends[i])) : state.startDay;
    const summary = el('span', { class: 'group-stats' });
    frag.append(el('div', { class: 'g-row g-group' },
      el('span', { class: 'g-label', title: groupLabel(key) }, `${groupLabel(key)} (${ids.length})`),
      el('span', { class: 'g-track' }, el('span', { class: 'g-bar g-summary', style: `left:${pct(lo)};width:${pct(hi + 1 - lo + state.startDay)}` }), summary)));
    state.ganttRows.push({ group: true, ids, summary });
    for (const i of ids.slice(0, GANTT_CAP)) {
      const p = works[i].properties;
      const bar = starts[i] === starts[i]
        ? el('span', { class: 'g-bar', style: `left:${pct(starts[i])};width:${pct(ends[i] + 1 - starts[i] + state.startDay)}` })
        : null;
      const row = el('div', { class: 'g-row', title: `${p.id} ${p.owner ?? ''}`, onclick: () => focusFeature('work', i) },
        el('span', { class: 'g-label' }, workLabel(p)), el('span', { class: 'g-track' }, bar));
      frag.append(row);
      state.ganttRows.push({ group: false, id: i, row, st: -1 });
    }
    if (ids.length > GANTT_CAP) frag.append(el('div', { class: 'g-row g-more' }, `+${ids.length - GANTT_CAP} ${t('more')}`));
  }
  // The date line lives inside the rows so it spans the whole scrolled list.
  container.replaceChildren(frag, $('gantt-today'));
  updateGantt(true);
}

function updateGantt(force = false) {
  const { st } = state.timed.work;
  const span = Math.max(1, state.endDay - state.startDay + 1);
  $('gantt-today').style.left = `calc(var(--label-w) + (100% - var(--label-w)) * ${(state.day - state.startDay + 0.5) / span})`;
  for (const r of state.ganttRows) {
    if (r.group) {
      let prog = 0;
      let late = 0;
      for (const i of r.ids) {
        if (st[i] === IN_PROGRESS) prog += 1;
        else if (st[i] === LATE) late += 1;
      }
      r.summary.textContent = `${t('status_in_progress')} ${prog} · ${t('status_late')} ${late}`;
    } else if (force || r.st !== st[r.id]) {
      r.st = st[r.id];
      r.row.className = `g-row st-${STATUS_NAMES[r.st] ?? 'unscheduled'}`;
    }
  }
}

// ---- popup and highlight ----------------------------------------------------------------

const DATE_KEYS = new Set(['start', 'end', 'deadline', 'finish_by', 'paved_on', 'moratorium_until', 'until']);
const SKIP_KEYS = new Set(['kind', 'color', 'status']);

function value(key, v) {
  if (v === null || v === undefined || v === '') return '—';
  if (DATE_KEYS.has(key)) {
    const d = dayOf(v);
    return d === d ? fmtDate(dateOf(d)) : String(v);
  }
  if (key === 'class' && has(`class_${v}`)) return t(`class_${v}`);
  if (key === 'utility' && has(`util_${v}`)) return t(`util_${v}`);
  if (key === 'utilities' && Array.isArray(v)) return v.map((u) => (has(`util_${u}`) ? t(`util_${u}`) : u)).join(', ');
  if (Array.isArray(v)) return v.length ? v.join(', ') : '—';
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  // Lengths and metre-days come with float noise; a tenth is all a reader needs.
  if (typeof v === 'number' && !Number.isInteger(v)) return v.toFixed(1);
  return String(v);
}

function showPopup(kind, index, lngLat) {
  const f = state.byKind[kind][index];
  const p = f.properties;
  const rows = [];
  for (const [k, v] of Object.entries(p)) {
    if (SKIP_KEYS.has(k)) continue;
    rows.push(el('tr', {}, el('th', {}, has(`p_${k}`) ? t(`p_${k}`) : k), el('td', {}, value(k, v))));
  }
  const body = el('div', { class: 'popup' }, el('h3', {}, `${t(`kind_${kind}`)} ${p.name ?? p.id}`));
  if (state.timed[kind]) {
    const s = STATUS_NAMES[state.timed[kind].st[index]] ?? 'unscheduled';
    body.append(el('p', { class: `status st-${s}` }, `${t(`status_${s}`)} ${t('at_date')} ${fmtDate(dateOf(state.day))}`));
  }
  body.append(el('table', {}, ...rows));
  state.selected = { kind, index };
  if (!state.popup) {
    state.popup = new Popup({ maxWidth: '340px', closeOnClick: false });
    state.popup.on('close', () => { state.selected = null; highlight([]); });
  }
  state.popup.setLngLat(lngLat).setDOMContent(body);
  if (!state.popup.isOpen()) state.popup.addTo(dbg.map);
}

/** Highlights a shared trench and the works of its partners (feature-state `hl`). */
function highlight(targets) {
  const map = dbg.map;
  for (const [source, id] of state.highlighted) map.setFeatureState({ source, id }, { hl: false });
  state.highlighted = targets;
  for (const [source, id] of targets) map.setFeatureState({ source, id }, { hl: true });
}

function trenchTargets(kind, index) {
  const p = state.byKind[kind][index].properties;
  const trenchId = kind === 'trench' ? p.id : p.trench;
  if (!trenchId) return [];
  const trench = state.byKind.trench.find((f) => f.properties.id === trenchId);
  if (!trench) return [];
  const targets = [['trench', trench.id]];
  for (const w of trench.properties.works ?? []) {
    const wf = state.workIndex.get(w);
    if (wf) targets.push(['work', wf.id]);
  }
  return targets;
}

function center(f) {
  const b = bounds({ ...Object.fromEntries(KINDS.map((k) => [k, []])), work: [f] });
  return [(b[0][0] + b[1][0]) / 2, (b[0][1] + b[1][1]) / 2];
}

function focusFeature(kind, index) {
  const f = state.byKind[kind][index];
  const c = center(f);
  dbg.map.easeTo({ center: c, zoom: Math.max(dbg.map.getZoom(), 16) });
  highlight(trenchTargets(kind, index));
  showPopup(kind, index, c);
}

function onClick(e) {
  const hits = dbg.map.queryRenderedFeatures(e.point, { layers: CLICKABLE.filter((l) => dbg.map.getLayer(l)) });
  if (!hits.length) return;
  const hit = hits[0];
  const kind = hit.source;
  highlight(trenchTargets(kind, hit.id));
  showPopup(kind, hit.id, e.lngLat);
}

// ---- advice ------------------------------------------------------------------------------

/** The feature a change's subject names (a work, compound or street), as [kind, index]. */
function subjectFeature(subject) {
  for (const kind of ['work', 'compound', 'street']) {
    const i = state.byKind[kind]?.findIndex((f) => f.properties.id === subject) ?? -1;
    if (i >= 0) return [kind, i];
  }
  return null;
}

/**
 * The schedule's advice (overlay member `advice`): how many hard deadlines are missed and
 * what ends beyond the horizon, then each change with what it recovers; a change's
 * subject links to its feature on the map. Hidden when nothing is missed.
 */
function renderAdvice() {
  const ov = state.overlay?.overlay ?? {};
  const box = $('advice');
  const advice = ov.advice;
  const missed = ov.hard_deadlines_missed ?? 0;
  const beyond = ov.beyond_horizon ?? 0;
  dbg.advice = advice ? { missed, beyond, changes: advice.changes.length } : null;
  if (!advice || (missed === 0 && beyond === 0)) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const wasOpen = box.querySelector('details')?.open ?? false;
  const parts = [];
  if (missed) parts.push(`${missed} ${t('advice_missed')}`);
  if (beyond) parts.push(`${beyond} ${t('advice_beyond')}`);
  const changes = advice.changes ?? [];
  const head = changes.length
    ? `${parts.join(' · ')} — ${changes.length} ${t('advice_changes')} ${t('advice_recover')} ${advice.deadlines_recovered}/${advice.deadlines_missed}`
    : `${parts.join(' · ')} — ${t('advice_none')}`;
  const details = el('details', {}, el('summary', {}, t('advice')), el('div', { class: 'adv-head' }, head));
  details.open = wasOpen;
  const items = changes.map((c) => {
    const target = subjectFeature(c.subject);
    const subject = target
      ? el('a', { role: 'link', tabindex: '0', 'data-subject': c.subject }, c.subject)
      : el('span', {}, c.subject);
    if (target) subject.addEventListener('click', () => focusFeature(...target));
    const effect = [`${t('advice_recovers')} ${c.recovers.length}`];
    if (c.days_saved) effect.push(`${t('advice_days')} ${c.days_saved}`);
    if (c.excavations_added) effect.push(`${t('advice_excavations')} ${c.excavations_added}`);
    return el('li', { class: 'adv-change', title: c.recovers.join('\n') },
      el('span', { class: 'adv-kind' }, has(`change_${c.kind}`) ? t(`change_${c.kind}`) : c.kind), ' ', subject, ': ',
      c.description, ' ', el('span', { class: 'adv-effect' }, `(${effect.join(', ')})`));
  });
  details.append(el('ol', {}, ...items));
  box.replaceChildren(details);
  box.hidden = false;
}

// ---- legend, language, layout -------------------------------------------------------------

function renderLegend() {
  const swatch = (color, line = false) => el('span', { class: line ? 'sw sw-line' : 'sw', style: `background:${color}` });
  const toggles = Object.keys(LAYER_GROUPS).map((g) => {
    const box = el('input', { type: 'checkbox', 'data-group': g });
    box.checked = LAYER_GROUPS[g].every((l) => dbg.map.getLayoutProperty(l, 'visibility') !== 'none');
    box.addEventListener('change', () => {
      for (const l of LAYER_GROUPS[g]) dbg.map.setLayoutProperty(l, 'visibility', box.checked ? 'visible' : 'none');
    });
    return el('label', { class: 'toggle' }, box, ` ${t(`layer_${g}`)}`);
  });
  const utilities = (state.overlay.overlay?.utilities ?? Object.keys(UTILITY_COLORS));
  const wasOpen = $('legend').querySelector('details')?.open ?? window.innerWidth > 900;
  const details = el('details', {}, el('summary', {}, t('legend')));
  details.open = wasOpen;
  $('legend').replaceChildren(details);
  details.append(
    ...toggles,
    el('div', { class: 'leg-sec' }, ...Object.entries(CLASS_COLORS).map(([k, c]) => el('span', { class: 'leg-item' }, swatch(c), t(`class_${k}`)))),
    el('div', { class: 'leg-sec' }, ...utilities.map((u) => el('span', { class: 'leg-item' }, swatch(UTILITY_COLORS[u] ?? '#888', true), has(`util_${u}`) ? t(`util_${u}`) : u))),
    el('div', { class: 'leg-sec' }, ...STATUS_NAMES.map((s, i) => el('span', { class: 'leg-item' }, swatch(STATUS_COLORS[i], true), t(`status_${s}`)))),
    el('div', { class: 'leg-sec' },
      el('span', { class: 'leg-item' }, swatch('#000', true), t('layer_trench')),
      el('span', { class: 'leg-item' }, swatch('#d62728', true), t('layer_moratorium')),
      el('span', { class: 'leg-item' }, el('span', { class: 'sw sw-dot' }), t('layer_crossing'))),
  );
}

function applyLang(code) {
  const lang = setLang(code);
  try { localStorage.setItem('digonce.lang', lang); } catch { /* private mode */ }
  document.title = `${t('title')} — ${state.overlay?.overlay?.plan_name ?? dbg.planId ?? ''}`;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  $('lang').textContent = t('language');
  $('play').textContent = state.playing ? `⏸ ${t('pause')}` : `▶ ${t('play')}`;
  if (!state.overlay || !dbg.map?.getLayer('street-line')) return;
  $('span-start').textContent = fmtDate(dateOf(state.startDay));
  $('span-end').textContent = fmtDate(dateOf(state.endDay));
  $('notice').textContent = state.overlay.overlay?.schedule_id ? '' : t('no_schedule');
  renderLegend();
  renderAdvice();
  buildGantt();
  setDay(state.day);
}

function fail(err) {
  dbg.error = err.message;
  $('notice').textContent = err.message;
  $('notice').classList.add('error');
}

async function main() {
  const t0 = performance.now();
  let lang = 'en';
  try { lang = localStorage.getItem('digonce.lang') ?? (navigator.language?.startsWith('zh') ? 'zh-CN' : 'en'); } catch { /* default */ }
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (fromUrl) lang = fromUrl;
  setLang(lang);
  applyLang(lang);
  $('notice').textContent = t('loading');
  dbg.planId = planIdFromPage();

  const worker = document.querySelector('meta[name="digonce-worker"]')?.content;
  if (worker && !worker.includes('{{')) setWorkerUrl(new URL(worker, location.href).href);

  await loadConfig();
  dbg.timings.config_ms = performance.now() - t0;
  let doc;
  try {
    doc = await loadOverlay(dbg.planId);
  } catch (err) {
    fail(err);
    return;
  }
  dbg.timings.overlay_ms = performance.now() - t0;
  state.overlay = doc;
  const { byKind, timed, workIndex } = prepare(doc);
  Object.assign(state, { byKind, timed, workIndex });
  dbg.counts = Object.fromEntries(KINDS.map((k) => [k, byKind[k].length]));
  dbg.timings.prepare_ms = performance.now() - t0 - dbg.timings.overlay_ms;

  const ov = doc.overlay ?? {};
  const today = dayOf(new Date().toISOString());
  state.startDay = dayOf(ov.start) === dayOf(ov.start) ? dayOf(ov.start) : today;
  state.endDay = dayOf(ov.end) === dayOf(ov.end) ? dayOf(ov.end) : state.startDay + 180;
  if (state.endDay < state.startDay) state.endDay = state.startDay;
  state.day = today >= state.startDay && today <= state.endDay ? today : state.startDay;
  $('plan-name').textContent = ov.plan_name ?? dbg.planId;

  const map = new MapLibre({
    container: 'map', style: style(), bounds: bounds(byKind), fitBoundsOptions: { padding: 30 },
    attributionControl: state.config.tile_url ? {} : false, maxZoom: 20,
  });
  dbg.map = map;
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new ScaleControl(), 'bottom-right');
  map.on('error', (e) => { console.error('map error', e?.error?.message ?? e); });

  map.on('load', () => {
    const tLoad = performance.now();
    dbg.timings.style_ms = tLoad - t0 - dbg.timings.overlay_ms;
    for (const kind of KINDS) {
      map.addSource(kind, { type: 'geojson', data: { type: 'FeatureCollection', features: slim(kind, byKind[kind]) } });
    }
    for (const layer of layers()) map.addLayer(layer);
    addVillages(map, `${apiRoot()}v1/plans/${encodeURIComponent(dbg.planId)}/villages${state.config.tile_crs === 'gcj02' ? '?crs=gcj02' : ''}`, token() ? { authorization: `Bearer ${token()}` } : {}).then((n) => { dbg.villages = n; });
    map.on('click', onClick);
    for (const l of CLICKABLE) {
      map.on('mouseenter', l, () => { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', l, () => { map.getCanvas().style.cursor = ''; });
    }
    const slider = $('slider');
    slider.max = String(state.endDay - state.startDay);
    slider.addEventListener('input', () => setDay(state.startDay + Number(slider.value)));
    $('play').addEventListener('click', () => (state.playing ? pause() : play()));
    $('group-by').addEventListener('change', (e) => { state.groupBy = e.target.value; buildGantt(); });
    const tUi = performance.now();
    dbg.timings.sources_ms = tUi - tLoad;
    applyLang(getLang());
    const crs = state.config.tile_crs === 'gcj02' ? '?crs=gcj02' : '';
    addProgressLayer({ map, byKind, setDate: (iso) => setDay(dayOf(iso)), container: $('map-wrap'),
      url: `${apiRoot()}v1/plans/${encodeURIComponent(dbg.planId)}/progress/map${crs}`,
      headers: token() ? { authorization: `Bearer ${token()}` } : {} }).then((p) => { dbg.progress = p; });
    dbg.timings.ui_ms = performance.now() - tUi;
    map.once('idle', () => {
      dbg.timings.first_render_ms = performance.now();
      dbg.timings.map_ms = performance.now() - t0 - dbg.timings.overlay_ms;
      dbg.ready = true;
      document.body.dataset.ready = 'true';
    });
  });

  $('lang').addEventListener('click', () => applyLang(LANGS[(LANGS.indexOf(getLang()) + 1) % LANGS.length]));
  Object.assign(dbg, {
    setDate: (iso) => setDay(dayOf(iso)),
    play, pause,
    setLang: applyLang,
    setGroupBy: (g) => { state.groupBy = g; $('group-by').value = g; buildGantt(); },
    featureId: (kind, n) => state.byKind[kind]?.[n]?.properties.id ?? null,
    select: (kind, id) => {
      const f = state.byKind[kind]?.find((x) => x.properties.id === id);
      if (f) focusFeature(kind, f.id);
      return Boolean(f);
    },
  });
}

main().catch(fail);
