//! The residents' page as HTML: Chinese, one column, readable on a phone, printable, no
//! script and no external resource. Every text from the plan is escaped.

use std::fmt::Write as _;

use chrono::NaiveDate;
use geodata::plan::{Discipline, Trade, Utility};

use super::{Notice, RADIUS_M};
use crate::map::escape_html as esc;
use crate::overlay::progress::UnitStatus;

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;\
margin:0 auto;padding:1em;max-width:40em;line-height:1.5;font-size:17px;color:#222}\
h1{font-size:1.4em;margin:.2em 0}p.meta{color:#555;margin:.2em 0}\
ul{list-style:none;padding:0}li{border-top:1px solid #ccc;padding:.6em 0}\
.when{font-weight:bold}.s{display:inline-block;padding:0 .4em;border-radius:.3em;font-size:.9em}\
.done{background:#d9f2d9}.in_progress{background:#ffe8c2}.late{background:#f9d0d0}\
.not_started{background:#eee}footer{color:#555;font-size:.85em;margin-top:1.5em}";

/// A discipline's name in Chinese.
#[must_use]
pub fn discipline_zh(d: Discipline) -> &'static str {
    match d {
        Discipline::Utility(u) => match u {
            Utility::Water => "给水管道",
            Utility::Drainage => "雨水管道",
            Utility::Sewer => "污水管道",
            Utility::Power => "电力电缆",
            Utility::Gas => "燃气管道",
            Utility::Heat => "供热管道",
            Utility::Telecom => "通信线缆",
        },
        Discipline::Trade(t) => match t {
            Trade::Clearing => "场地清理",
            Trade::Paving => "道路铺装",
            Trade::Roofing => "屋面防水",
            Trade::FacadeInsulation => "外墙保温",
            Trade::Greening => "绿化",
            Trade::Facilities => "配套设施",
            Trade::CleanHeating => "清洁取暖改造",
            Trade::General => "其他施工",
        },
    }
}

/// A status in Chinese.
#[must_use]
pub fn status_zh(s: UnitStatus) -> &'static str {
    match s {
        UnitStatus::Done => "已完成",
        UnitStatus::InProgress => "施工中",
        UnitStatus::Late => "滞后",
        UnitStatus::NotStarted => "未开工",
    }
}

fn date_zh(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

fn span_zh(span: Option<(NaiveDate, NaiveDate)>) -> String {
    match span {
        Some((s, e)) if s == e => date_zh(s),
        Some((s, e)) => format!("{} 至 {}", date_zh(s), date_zh(e)),
        None => "尚未排期".to_owned(),
    }
}

fn badge(s: UnitStatus) -> String {
    format!("<span class=\"s {}\">{}</span>", s.as_str(), status_zh(s))
}

/// The page of `notice`, whose short code is `short`.
#[must_use]
pub fn render(notice: &Notice, short: &str) -> String {
    let mut out = String::new();
    let name = esc(&notice.name);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <title>{name} 施工进度公开</title><style>{STYLE}</style></head><body>\
         <h1>{name} 施工进度公开</h1><p class=\"meta\">{district} · 小区改造：{span} {badge}</p>",
        district = esc(&notice.district),
        span = span_zh(notice.span),
        badge = badge(notice.status),
    );
    let _ = write!(
        out,
        "<p class=\"meta\">数据截至：{}</p>",
        notice
            .data_date
            .map_or_else(|| "暂无进度报告".to_owned(), date_zh)
    );
    let _ = write!(
        out,
        "<h2>周边开挖施工</h2><p class=\"meta\">为本小区服务或距小区{RADIUS_M:.0}米以内的管线和施工，按开工时间排列。</p>"
    );
    if notice.works.is_empty() {
        out.push_str("<p>本小区周边暂无开挖施工。</p>");
    } else {
        out.push_str("<ul>");
        for w in &notice.works {
            let _ = write!(
                out,
                "<li><div class=\"when\">{span}</div><div>{what}{serves} {badge}</div><div>施工单位：{owner}</div></li>",
                span = span_zh(w.span),
                what = discipline_zh(w.discipline),
                serves = if w.serves { "（本小区）" } else { "" },
                badge = badge(w.status),
                owner = esc(&w.owner),
            );
        }
        out.push_str("</ul>");
    }
    let _ = write!(
        out,
        "<footer>本页编号 {short}，日期以最新排期为准，如有调整将在此更新。</footer></body></html>",
        short = esc(short)
    );
    out
}
