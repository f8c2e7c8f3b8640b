// The village layer of the map page: clean-heating villages (docs/heating.md) coloured by
// the route chosen for them, with a popup of the households and what one household pays
// for heating a year before and after. Data: GET /v1/plans/{id}/villages (docs/http-api.md).

import { Popup } from 'maplibre-gl';
import { t } from './i18n.js';

/** Route colours: gas orange, the electric routes in blues and purples, stoves in browns. */
export const ROUTE_COLORS = {
  gas_wall_boiler: '#ff7f00',
  electric_thermal_storage: '#6a3d9a',
  air_source_heat_pump: '#1f78b4',
  solar_thermal_electric: '#e6ab02',
  heat_pump_pv: '#33a02c',
  biomass_pellet: '#8c510a',
  lpg_boiler: '#e7298a',
};
const NO_ROUTE = '#999999';

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const yuan = (v) => (typeof v === 'number' ? `${Math.round(v).toLocaleString()} ${t('v_yuan')}` : '—');

/** The popup's HTML for one village's properties. */
export function villagePopup(p) {
  const route = p.route ? t(`route_${p.route}`) : t('route_none');
  const rows = [
    [t('p_id'), esc(p.id)],
    [t('p_district'), esc(p.district)],
    [t('v_route'), esc(route)],
    [t('p_households'), `${esc(p.converted_households ?? 0)} / ${esc(p.households)}`],
    [t('v_bill_before'), yuan(p.bill_before_cny)],
    [t('v_bill_after'), yuan(p.bill_after_cny)],
    [t('v_install'), yuan(p.install_cost_after_subsidy_cny)],
    [t('v_affordable'), p.affordable == null ? '—' : t(p.affordable ? 'v_yes' : 'v_no')],
  ];
  return `<b>${esc(p.name)}</b><table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

/**
 * Fetches the plan's villages from `url` (with `headers`) and draws them on `map` as
 * circles sized by households. A plan without villages adds nothing; a failed fetch only
 * logs (the rest of the map stands). Returns the number of villages drawn.
 */
export async function addVillages(map, url, headers) {
  let doc;
  try {
    const res = await fetch(url, { headers: { ...headers, accept: 'application/geo+json, application/json' } });
    if (!res.ok) return 0;
    doc = await res.json();
  } catch (err) {
    console.error('villages', err);
    return 0;
  }
  const features = doc.features ?? [];
  if (!features.length) return 0;
  map.addSource('village', { type: 'geojson', data: { type: 'FeatureCollection', features } });
  const color = ['match', ['coalesce', ['get', 'route'], '']];
  for (const [route, c] of Object.entries(ROUTE_COLORS)) color.push(route, c);
  color.push(NO_ROUTE);
  map.addLayer({
    id: 'village-circle', type: 'circle', source: 'village',
    paint: {
      'circle-color': color,
      'circle-radius': ['interpolate', ['linear'], ['get', 'households'], 0, 4, 1500, 14],
      'circle-stroke-color': ['case', ['==', ['get', 'affordable'], false], '#d62728', '#ffffff'],
      'circle-stroke-width': 2,
      'circle-opacity': 0.85,
    },
  });
  const popup = new Popup({ maxWidth: '340px' });
  map.on('click', 'village-circle', (e) => {
    const f = e.features?.[0];
    if (f) popup.setLngLat(e.lngLat).setHTML(villagePopup(f.properties)).addTo(map);
  });
  map.on('mouseenter', 'village-circle', () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'village-circle', () => { map.getCanvas().style.cursor = ''; });
  return features.length;
}
