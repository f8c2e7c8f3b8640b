// English and Simplified Chinese strings for the map page; dates go through Intl.

export const LANGS = ['en', 'zh-CN'];

const STRINGS = {
  en: {
    title: 'digonce — plan map',
    loading: 'Loading plan…',
    no_schedule: 'No schedule yet: showing the plan alone.',
    error_auth: 'This plan needs an access token: open the page with ?token=…',
    error_missing: 'Plan not found.',
    error_other: 'Could not load the plan overlay',
    date: 'Date',
    play: 'Play',
    pause: 'Pause',
    group_by: 'Group by',
    district: 'District',
    utility: 'Utility / trade',
    works: 'works',
    compounds: 'compounds',
    more: 'more not shown',
    legend: 'Legend',
    layer_compound: 'Compounds (class; outline = status)',
    layer_work: 'Works (utility colour)',
    layer_trench: 'Shared trenches',
    layer_street: 'Streets',
    layer_moratorium: 'Moratorium streets / conflicts',
    layer_crossing: 'Crossings',
    at_date: 'at',
    partners: 'Shares trench with',
    language: '中文',
    kind_compound: 'Compound', kind_work: 'Work', kind_street: 'Street', kind_trench: 'Shared trench',
    kind_crossing: 'Crossing', kind_moratorium_conflict: 'Moratorium conflict',
    status_unscheduled: 'unscheduled', status_planned: 'planned', status_in_progress: 'being dug',
    status_done: 'done', status_late: 'late',
    class_basic: 'basic', class_beautify: 'beautify', class_upgrade: 'upgrade', class_integrate: 'integrate',
    util_water: 'water', util_drainage: 'drainage', util_sewer: 'sewer', util_power: 'power', util_gas: 'gas',
    util_heat: 'heat', util_telecom: 'telecom', util_other: 'other trades',
    p_name: 'Name', p_district: 'District', p_class: 'Class', p_households: 'Households', p_finish_by: 'Finish by',
    p_start: 'Start', p_end: 'End', p_deadline: 'Deadline', p_status: 'Status', p_utility: 'Utility', p_trade: 'Trade',
    p_owner: 'Owner', p_action: 'Action', p_compound: 'Compound', p_trench: 'Trench', p_partners: 'Partners',
    p_paved_on: 'Paved on', p_paving: 'Paving', p_moratorium_until: 'Moratorium until', p_cut_exception: 'Cut exception',
    p_works: 'Works', p_utilities: 'Utilities', p_owners: 'Owners', p_length_m: 'Length (m)', p_street: 'Street',
    advice: 'What would make every deadline hold',
    advice_missed: 'hard deadlines missed', advice_beyond: 'activities beyond the horizon',
    advice_changes: 'changes', advice_recover: 'recover', advice_none: 'No change found recovers them.',
    advice_recovers: 'recovers', advice_days: 'days saved', advice_excavations: 'excavations added',
    change_moratorium_exception: 'Moratorium exception', change_earlier_start: 'Earlier start',
    change_extra_crew: 'Extra crew', change_higher_district_limit: 'Higher district limit',
    change_dig_apart: 'Dig apart', change_later_deadline: 'Later deadline', change_longer_horizon: 'Longer horizon',
    p_until: 'Until', p_exception: 'Exception', p_id: 'Id',
    v_route: 'Heating route', v_bill_before: 'Bill before (per household, year)',
    v_bill_after: 'Bill after (per household, year)', v_install: 'Install after subsidy',
    v_affordable: 'Affordable', v_yes: 'yes', v_no: 'no', v_yuan: 'yuan',
    route_gas_wall_boiler: 'gas wall boiler', route_electric_thermal_storage: 'electric thermal storage',
    route_air_source_heat_pump: 'air-source heat pump', route_solar_thermal_electric: 'solar thermal + electric',
    route_heat_pump_pv: 'heat pump + rooftop PV', route_biomass_pellet: 'biomass pellet stove',
    route_lpg_boiler: 'LPG boiler', route_none: 'none (stays on coal)',
    progress_title: 'Progress', data_date: 'as of', progress_status: 'Colour by reported status',
    progress_ranking: 'District ranking', progress_completion: 'works finished / due',
    ps_done: 'done', ps_in_progress: 'in progress', ps_late: 'late', ps_not_started: 'not started',
  },
  'zh-CN': {
    title: 'digonce — 计划地图',
    loading: '正在加载计划…',
    no_schedule: '尚无排期：仅显示计划。',
    error_auth: '此计划需要访问令牌：请用 ?token=… 打开页面',
    error_missing: '未找到计划。',
    error_other: '无法加载计划图层',
    date: '日期',
    play: '播放',
    pause: '暂停',
    group_by: '分组',
    district: '区县',
    utility: '管线 / 工种',
    works: '项工程',
    compounds: '个小区',
    more: '项未显示',
    legend: '图例',
    layer_compound: '小区（按类型；边框 = 状态）',
    layer_work: '工程（按管线颜色）',
    layer_trench: '共用沟槽',
    layer_street: '道路',
    layer_moratorium: '禁挖道路 / 冲突',
    layer_crossing: '穿越点',
    at_date: '于',
    partners: '共用沟槽单位',
    language: 'English',
    kind_compound: '小区', kind_work: '工程', kind_street: '道路', kind_trench: '共用沟槽',
    kind_crossing: '穿越点', kind_moratorium_conflict: '禁挖期冲突',
    status_unscheduled: '未排期', status_planned: '计划中', status_in_progress: '施工中',
    status_done: '已完成', status_late: '逾期',
    class_basic: '基础完善型', class_beautify: '环境美化型', class_upgrade: '功能提升型', class_integrate: '整合提升型',
    util_water: '供水', util_drainage: '排水', util_sewer: '污水', util_power: '电力', util_gas: '燃气',
    util_heat: '热力', util_telecom: '通信', util_other: '其他工种',
    p_name: '名称', p_district: '区县', p_class: '类型', p_households: '户数', p_finish_by: '完成期限',
    p_start: '开始', p_end: '结束', p_deadline: '期限', p_status: '状态', p_utility: '管线', p_trade: '工种',
    p_owner: '权属单位', p_action: '作业', p_compound: '小区', p_trench: '沟槽', p_partners: '共用单位',
    p_paved_on: '铺装日期', p_paving: '铺装', p_moratorium_until: '禁挖至', p_cut_exception: '破路特批',
    p_works: '工程', p_utilities: '管线', p_owners: '权属单位', p_length_m: '长度（米）', p_street: '道路',
    advice: '如何使全部期限得以满足',
    advice_missed: '项硬期限未满足', advice_beyond: '项作业超出计划期',
    advice_changes: '项调整', advice_recover: '可挽回', advice_none: '未找到可挽回的调整。',
    advice_recovers: '挽回', advice_days: '节省天数', advice_excavations: '增加开挖次数',
    change_moratorium_exception: '禁挖期特批', change_earlier_start: '提前开工',
    change_extra_crew: '增加施工队', change_higher_district_limit: '提高区县同时开挖上限',
    change_dig_apart: '单独开挖', change_later_deadline: '推迟期限', change_longer_horizon: '延长计划期',
    p_until: '截至', p_exception: '特批', p_id: '编号',
    v_route: '取暖方式', v_bill_before: '改造前取暖费（元/户·年）', v_bill_after: '改造后取暖费（元/户·年）',
    v_install: '补贴后安装费', v_affordable: '可承受', v_yes: '是', v_no: '否', v_yuan: '元',
    route_gas_wall_boiler: '燃气壁挂炉（煤改气）', route_electric_thermal_storage: '蓄热式电暖器',
    route_air_source_heat_pump: '空气源热泵', route_solar_thermal_electric: '太阳能+电辅热',
    route_heat_pump_pv: '光伏+热泵', route_biomass_pellet: '生物质颗粒炉', route_lpg_boiler: '液化石油气壁挂炉',
    route_none: '未改造（仍烧煤）',
    progress_title: '进度', data_date: '数据截至', progress_status: '按上报进度着色',
    progress_ranking: '区县进度排名', progress_completion: '完成率',
    ps_done: '已完成', ps_in_progress: '施工中', ps_late: '滞后', ps_not_started: '未开工',
  },
};

let lang = 'en';
const listeners = [];
let dateFmt = null;
let longFmt = null;

/** Sets the language; returns the one in force (unknown codes fall back to English). */
export function setLang(code) {
  lang = LANGS.includes(code) ? code : 'en';
  dateFmt = new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  longFmt = new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short', timeZone: 'UTC' });
  document.documentElement.lang = lang;
  for (const fn of listeners) fn(lang);
  return lang;
}

/** Calls `fn(lang)` after every language change (panels added after the page's own). */
export function onLangChange(fn) {
  listeners.push(fn);
}

/** The language in force. */
export function getLang() {
  return lang;
}

/** The string for `key` in the current language, the English one, or the key itself. */
export function t(key) {
  return STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
}

/** Whether a string exists for `key` (to translate enum values only when known). */
export function has(key) {
  return key in STRINGS.en;
}

/** A date (UTC midnight) in the current locale, short form. */
export function fmtDate(date) {
  return dateFmt.format(date);
}

/** A date (UTC midnight) in the current locale, long form with weekday. */
export function fmtLongDate(date) {
  return longFmt.format(date);
}

setLang('en');
