// Progress on the map (docs/progress.md, "On the map"): reported status as of the data date
// (a toggle colouring works and compounds done / in progress / late / not started), a
// district layer coloured by completion rate with the ranking beside it, and the timeline's
// "today" set to the data date. Reads GET /v1/plans/{id}/progress/map; when the plan has no
// progress (404) or the token may not read the ranking (403) nothing is added.

import { t, onLangChange } from './i18n.js';

export const PROGRESS_STATUSES = ['done', 'in_progress', 'late', 'not_started'];
const PS_COLORS = { done: '#2ca02c', in_progress: '#ff8c00', late: '#d62728', not_started: '#9e9e9e' };
const PS = ['coalesce', ['feature-state', 'ps'], -1];
const byPs = (fallback) => ['match', PS, ...PROGRESS_STATUSES.flatMap((s, i) => [i, PS_COLORS[s]]), fallback];
// Completion rate 0 → red, 0.5 → amber, 1 → green; no work due yet → grey.
const RATE_COLOR = ['case', ['==', ['get', 'completion_rate'], null], '#bdbdbd',
  ['interpolate', ['linear'], ['get', 'completion_rate'], 0, '#d62728', 0.5, '#ffbf00', 1, '#2ca02c']];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

const pct = (r) => (r === null || r === undefined ? '—' : `${Math.round(r * 100)}%`);
const change = (c) => (c > 0 ? ` ▲${c}` : c < 0 ? ` ▼${-c}` : '');

/**
 * Loads the progress layer and adds it to `map` (after the overlay's layers exist).
 * `url` is the progress map route, `headers` the request headers (token), `byKind` the
 * overlay features per kind (numbered for feature-state), `setDate` moves the timeline.
 * Returns what was shown (for the page's debug surface), or null when nothing was.
 */
export async function addProgressLayer({ map, url, headers, byKind, setDate, container }) {
  let doc;
  try {
    const res = await fetch(url, { headers });
    if (!res.ok) return null;
    doc = await res.json();
  } catch {
    return null;
  }
  const status = new Map((doc.units ?? []).map((u) => [`${u.kind}:${u.id}`, u.status]));
  const shown = { as_of: doc.as_of, counts: doc.counts ?? {}, colored: { work: 0, compound: 0 }, districts: 0, on: false };
  for (const kind of ['work', 'compound']) {
    for (const f of byKind[kind] ?? []) {
      const s = status.get(`${kind}:${f.properties.id}`);
      const i = PROGRESS_STATUSES.indexOf(s);
      if (i < 0) continue;
      map.setFeatureState({ source: kind, id: f.id }, { ps: i });
      shown.colored[kind] += 1;
    }
  }
  const districts = doc.districts ?? { type: 'FeatureCollection', features: [] };
  shown.districts = districts.features.length;
  map.addSource('district', { type: 'geojson', data: districts });
  const below = map.getLayer('compound-fill') ? 'compound-fill' : undefined;
  map.addLayer({ id: 'district-fill', type: 'fill', source: 'district',
    paint: { 'fill-color': RATE_COLOR, 'fill-opacity': 0.25 } }, below);
  map.addLayer({ id: 'district-outline', type: 'line', source: 'district',
    paint: { 'line-color': RATE_COLOR, 'line-width': 2, 'line-dasharray': [3, 2] } }, below);
  const statusLayers = [
    { id: 'progress-compound', type: 'fill', source: 'compound',
      paint: { 'fill-color': byPs('rgba(0,0,0,0)'), 'fill-opacity': ['case', ['>=', PS, 0], 0.55, 0] } },
    { id: 'progress-work', type: 'line', source: 'work', filter: ['in', ['geometry-type'], ['literal', ['LineString', 'MultiLineString']]],
      paint: { 'line-color': byPs('rgba(0,0,0,0)'), 'line-width': 5, 'line-opacity': ['case', ['>=', PS, 0], 0.9, 0] } },
    { id: 'progress-work-point', type: 'circle', source: 'work', filter: ['in', ['geometry-type'], ['literal', ['Point', 'MultiPoint']]],
      paint: { 'circle-color': byPs('rgba(0,0,0,0)'), 'circle-radius': 6, 'circle-opacity': ['case', ['>=', PS, 0], 0.9, 0] } },
  ];
  for (const layer of statusLayers) map.addLayer({ ...layer, layout: { visibility: 'none' } });

  const toggle = el('input', { type: 'checkbox', id: 'progress-toggle' });
  const panel = el('section', { id: 'progress-panel' });
  const render = () => {
    const counts = el('div', { class: 'pp-counts' }, ...PROGRESS_STATUSES.map((s) =>
      el('span', { class: 'leg-item' }, el('span', { class: 'sw', style: '' }), `${t(`ps_${s}`)} ${shown.counts[s] ?? 0}`)));
    counts.querySelectorAll('.sw').forEach((sw, i) => { sw.style.background = PS_COLORS[PROGRESS_STATUSES[i]]; });
    const rows = (doc.ranking ?? []).map((p) => {
      return el('li', { 'data-district': p.district }, `${p.district} ${pct(p.completion_rate)}${change(p.rank_change ?? 0)}`);
    });
    panel.replaceChildren(
      el('strong', {}, `${t('progress_title')} · ${t('data_date')} ${doc.as_of}`),
      el('label', { class: 'toggle' }, toggle, ` ${t('progress_status')}`),
      counts,
      el('div', {}, el('strong', {}, t('progress_ranking')), ` (${t('progress_completion')})`),
      el('ol', { id: 'progress-ranking' }, ...rows),
    );
  };
  toggle.addEventListener('change', () => {
    shown.on = toggle.checked;
    for (const layer of statusLayers) map.setLayoutProperty(layer.id, 'visibility', toggle.checked ? 'visible' : 'none');
  });
  render();
  onLangChange(render);
  container.append(panel);
  setDate(doc.as_of);
  return shown;
}
