//! The bulletin as plain text: the ranking, the lagging owners and the late items.

use std::fmt::Write;

use optimizer::bulletin::{Bulletin, Figures};

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

fn line(out: &mut String, name: &str, rank: usize, change: Option<i64>, f: &Figures) {
    let change = match change {
        Some(c) if c > 0 => format!("+{c}"),
        Some(c) => c.to_string(),
        None => "-".to_owned(),
    };
    let _ = writeln!(
        out,
        "{rank:>3} {change:>4}  {name:<28} done {}/{} ({}), late {}, households {}/{}, invest {}, funds {}, time {} work {}, SPI {}",
        f.works_finished,
        f.works_planned_to_finish,
        pct(f.completion_rate),
        f.late,
        f.households_done,
        f.households_target,
        pct(f.investment_rate),
        pct(f.funds_rate),
        pct(Some(f.time_elapsed_rate)),
        pct(Some(f.work_done_rate)),
        f.spi.map_or_else(|| "-".to_owned(), |s| format!("{s:.2}")),
    );
}

/// The text bulletin.
pub(super) fn render(b: &Bulletin) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Progress bulletin of {} as of {}", b.plan, b.as_of);
    let t = &b.total;
    let _ = writeln!(
        out,
        "Programme: {}/{} works due are done ({}), SPI {}, {} late, investment {}, funds disbursed {}.",
        t.works_finished,
        t.works_planned_to_finish,
        pct(t.completion_rate),
        t.spi.map_or_else(|| "-".to_owned(), |s| format!("{s:.2}")),
        t.late,
        pct(t.investment_rate),
        pct(t.funds_rate),
    );
    let _ = writeln!(
        out,
        "\nDistricts (rank, change since the previous bulletin):"
    );
    for d in &b.districts {
        line(&mut out, &d.district, d.rank, d.rank_change, &d.figures);
    }
    let _ = writeln!(out, "\nOwners:");
    for o in &b.owners {
        line(&mut out, &o.owner, o.rank, o.rank_change, &o.figures);
    }
    if !b.not_reporting.is_empty() {
        let _ = writeln!(
            out,
            "\nNot reporting for more than {} days: {}",
            b.silent_after_days,
            b.not_reporting.join(", ")
        );
    }
    let _ = writeln!(out, "\nLate ({}):", b.late.len());
    for l in b.late.iter().take(50) {
        let _ = writeln!(
            out,
            "  {} ({}, {}) due {}..{}, {}, {} day(s) late",
            l.id,
            l.owner.as_deref().unwrap_or("-"),
            l.district.as_deref().unwrap_or("-"),
            l.planned_start,
            l.planned_finish,
            l.status.as_str(),
            l.days_late
        );
    }
    if b.late.len() > 50 {
        let _ = writeln!(out, "  ... and {} more", b.late.len() - 50);
    }
    heating(&mut out, b);
    out
}

/// The clean-heating table, when the plan has villages.
fn heating(out: &mut String, b: &Bulletin) {
    if let Some(why) = &b.heating_unavailable {
        let _ = writeln!(out, "\nClean heating: not available ({why})");
    }
    if b.heating.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nClean heating by village (yuan per household and year):\n  {:<16} {:<26} {:>6} {:>8} {:>8} {:>8}  affordable",
        "village", "route", "homes", "before", "after", "install"
    );
    let money = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.0}"));
    for h in &b.heating {
        let _ = writeln!(
            out,
            "  {:<16} {:<26} {:>6} {:>8} {:>8} {:>8}  {}",
            h.village,
            h.route.as_deref().unwrap_or("none"),
            h.households,
            money(h.bill_before_cny),
            money(h.bill_after_cny),
            money(h.install_cost_after_subsidy_cny),
            match h.affordable {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "-",
            }
        );
    }
}
