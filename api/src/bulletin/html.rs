//! The bulletin as one printable HTML page in Chinese and English (进度通报): no script,
//! no external resource, A4 landscape when printed.

use std::fmt::Write;

use optimizer::bulletin::Bulletin;

use super::table::{Cell, tables};

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:1.5em}\
table{border-collapse:collapse;font-size:11px;margin-bottom:1.5em}\
th,td{border:1px solid #999;padding:2px 4px}td.n{text-align:right}\
th{background:#eee}th small{display:block;font-weight:normal;color:#555}\
tr.late td{background:#fde8e8}@page{size:A4 landscape;margin:1cm}";

/// The HTML bulletin.
pub(super) fn render(b: &Bulletin) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>进度通报 Progress bulletin {}</title><style>{STYLE}</style></head><body>",
        esc(&b.as_of.to_string())
    );
    let _ = write!(
        out,
        "<h1>{} 进度通报 <small>Progress bulletin</small></h1><p>数据截至 Data as of <b>{}</b></p>",
        esc(&b.plan),
        b.as_of
    );
    let t = &b.total;
    let pct = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{:.1}%", v * 100.0));
    let _ = write!(
        out,
        "<p>应完工 {} 项，已完工 {} 项，完成率 {}；投资完成率 {}；资金拨付率 {}；时间进度 {}，任务进度 {}。<br>\
         {} of {} works due are done ({}); investment {}; funds disbursed {}; time elapsed {}, work done {}.</p>",
        t.works_planned_to_finish,
        t.works_finished,
        pct(t.completion_rate),
        pct(t.investment_rate),
        pct(t.funds_rate),
        pct(Some(t.time_elapsed_rate)),
        pct(Some(t.work_done_rate)),
        t.works_finished,
        t.works_planned_to_finish,
        pct(t.completion_rate),
        pct(t.investment_rate),
        pct(t.funds_rate),
        pct(Some(t.time_elapsed_rate)),
        pct(Some(t.work_done_rate)),
    );
    if !b.not_reporting.is_empty() {
        let _ = write!(
            out,
            "<p><b>超过 {} 天未报送进度的单位 Owners not reporting for more than {} days:</b> {}</p>",
            b.silent_after_days,
            b.silent_after_days,
            esc(&b.not_reporting.join("、"))
        );
    }
    let titles = [
        ("区县排名", "District ranking"),
        ("单位排名", "Owners"),
        ("滞后项目", "Late works and compounds"),
        ("清洁取暖", "Clean heating by village"),
    ];
    for (table, (zh, en)) in tables(b).iter().zip(titles) {
        let _ = write!(out, "<h2>{zh} <small>{en}</small></h2><table><tr>");
        for (h_en, h_zh) in &table.headers {
            let _ = write!(out, "<th>{h_zh}<small>{h_en}</small></th>");
        }
        out.push_str("</tr>");
        for row in &table.rows {
            out.push_str("<tr>");
            for cell in row {
                let class = if matches!(cell, Cell::Number(_)) {
                    " class=\"n\""
                } else {
                    ""
                };
                let _ = write!(out, "<td{class}>{}</td>", esc(&cell.text()));
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>");
    }
    out.push_str("</body></html>\n");
    out
}
