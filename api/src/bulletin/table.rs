//! The bulletin's tables as rows of cells: shared by CSV, HTML and XLSX.

use std::fmt::Write as _;

use optimizer::bulletin::{Bulletin, Figures};

/// A cell: text or a number (a rate or an amount), or empty.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// Nothing (a rate with nothing to divide by).
    Empty,
}

impl Cell {
    /// The cell as CSV or HTML text (numbers as Rust prints them, rates to 4 places).
    pub(super) fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(v) if v.fract() == 0.0 => format!("{v:.0}"),
            Cell::Number(v) => format!("{v:.4}"),
            Cell::Empty => String::new(),
        }
    }
}

fn rate(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Number)
}

#[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
fn n(v: usize) -> Cell {
    Cell::Number(v as f64)
}

#[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
fn n64(v: u64) -> Cell {
    Cell::Number(v as f64)
}

/// The figure columns: (English, Chinese) headers.
pub(super) const FIGURE_HEADERS: [(&str, &str); 17] = [
    ("works_planned_to_start", "计划开工"),
    ("works_started", "实际开工"),
    ("works_planned_to_finish", "计划完工"),
    ("works_finished", "实际完工"),
    ("completion_rate", "完成率"),
    ("late", "滞后项目"),
    ("households_target", "改造户数目标"),
    ("households_done", "已改造户数"),
    ("investment_planned_cny", "计划投资(元)"),
    ("investment_spent_cny", "完成投资(元)"),
    ("investment_rate", "投资完成率"),
    ("funds_allocated_cny", "下达资金(元)"),
    ("funds_disbursed_cny", "拨付资金(元)"),
    ("funds_rate", "资金拨付率"),
    ("time_elapsed_rate", "时间进度"),
    ("work_done_rate", "任务进度"),
    ("spi", "进度绩效指数 SPI"),
];

fn figures(f: &Figures) -> Vec<Cell> {
    vec![
        n(f.works_planned_to_start),
        n(f.works_started),
        n(f.works_planned_to_finish),
        n(f.works_finished),
        rate(f.completion_rate),
        n(f.late),
        n64(f.households_target),
        n64(f.households_done),
        Cell::Number(f.investment_planned_cny),
        Cell::Number(f.investment_spent_cny),
        rate(f.investment_rate),
        Cell::Number(f.funds_allocated_cny),
        Cell::Number(f.funds_disbursed_cny),
        rate(f.funds_rate),
        Cell::Number(f.time_elapsed_rate),
        Cell::Number(f.work_done_rate),
        rate(f.spi),
    ]
}

fn change(c: Option<i64>) -> Cell {
    #[expect(clippy::cast_precision_loss, reason = "ranks are small")]
    c.map_or(Cell::Empty, |c| Cell::Number(c as f64))
}

/// One named table: (English, Chinese) headers and rows.
pub(super) struct Table {
    /// Sheet name.
    pub name: &'static str,
    /// Headers, English and Chinese.
    pub headers: Vec<(&'static str, &'static str)>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

/// The tables: districts, owners, late works and compounds.
pub(super) fn tables(b: &Bulletin) -> Vec<Table> {
    let mut head = vec![
        ("district", "区县"),
        ("rank", "排名"),
        ("rank_change", "排名变化"),
    ];
    head.extend(FIGURE_HEADERS);
    let districts = b
        .districts
        .iter()
        .map(|d| {
            let mut row = vec![
                Cell::Text(d.district.clone()),
                n(d.rank),
                change(d.rank_change),
            ];
            row.extend(figures(&d.figures));
            row
        })
        .collect();
    let mut owner_head = vec![
        ("owner", "单位"),
        ("rank", "排名"),
        ("rank_change", "排名变化"),
        ("last_reported_on", "最近报送"),
        ("not_reporting", "未按时报送"),
    ];
    owner_head.extend(FIGURE_HEADERS);
    let owners = b
        .owners
        .iter()
        .map(|o| {
            let mut row = vec![
                Cell::Text(o.owner.clone()),
                n(o.rank),
                change(o.rank_change),
                o.last_reported_on
                    .map_or(Cell::Empty, |d| Cell::Text(d.to_string())),
                Cell::Text(if o.not_reporting { "yes 是" } else { "" }.to_owned()),
            ];
            row.extend(figures(&o.figures));
            row
        })
        .collect();
    let late = b
        .late
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.id.clone()),
                Cell::Text(l.kind.clone()),
                Cell::Text(l.owner.clone().unwrap_or_default()),
                Cell::Text(l.district.clone().unwrap_or_default()),
                Cell::Text(l.planned_start.to_string()),
                Cell::Text(l.planned_finish.to_string()),
                Cell::Text(l.status.as_str().to_owned()),
                #[expect(clippy::cast_precision_loss, reason = "day counts are small")]
                Cell::Number(l.days_late as f64),
            ]
        })
        .collect();
    let mut all = vec![
        Table {
            name: "districts",
            headers: head,
            rows: districts,
        },
        Table {
            name: "owners",
            headers: owner_head,
            rows: owners,
        },
        Table {
            name: "late",
            headers: vec![
                ("id", "编号"),
                ("kind", "类型"),
                ("owner", "单位"),
                ("district", "区县"),
                ("planned_start", "计划开工"),
                ("planned_finish", "计划完工"),
                ("status", "状态"),
                ("days_late", "滞后天数"),
            ],
            rows: late,
        },
    ];
    if !b.heating.is_empty() {
        all.push(heating(b));
    }
    all
}

/// The clean-heating table: per village the route and a household's bill before and after.
fn heating(b: &Bulletin) -> Table {
    let money = |v: Option<f64>| v.map_or(Cell::Empty, |v| Cell::Number(v.round()));
    let rows = b
        .heating
        .iter()
        .map(|h| {
            vec![
                Cell::Text(h.village.clone()),
                Cell::Text(h.district.clone()),
                Cell::Text(h.route.clone().unwrap_or_else(|| "none 无".to_owned())),
                Cell::Number(f64::from(h.households)),
                Cell::Number(f64::from(h.converted_households)),
                money(h.bill_before_cny),
                money(h.bill_after_cny),
                money(h.install_cost_after_subsidy_cny),
                Cell::Text(
                    match h.affordable {
                        Some(true) => "yes 是",
                        Some(false) => "no 否",
                        None => "",
                    }
                    .to_owned(),
                ),
            ]
        })
        .collect();
    Table {
        name: "heating",
        headers: vec![
            ("village", "村"),
            ("district", "区县"),
            ("route", "取暖方式"),
            ("households", "户数"),
            ("converted_households", "改造户数"),
            ("bill_before_cny", "改造前年取暖费(元/户)"),
            ("bill_after_cny", "改造后年取暖费(元/户)"),
            ("install_cost_after_subsidy_cny", "补贴后安装费(元/户)"),
            ("affordable", "可承受"),
        ],
        rows,
    }
}

/// Appends one RFC 4180 field.
fn field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// CSV: a `level` column (`district` or `owner`), the name, rank, rank change and the
/// figures; CRLF line breaks.
pub(super) fn csv(b: &Bulletin) -> String {
    let mut out = String::from("level,name,rank,rank_change");
    for (h, _) in FIGURE_HEADERS {
        out.push(',');
        out.push_str(h);
    }
    out.push_str("\r\n");
    let lines = b
        .districts
        .iter()
        .map(|d| ("district", &d.district, d.rank, d.rank_change, &d.figures))
        .chain(
            b.owners
                .iter()
                .map(|o| ("owner", &o.owner, o.rank, o.rank_change, &o.figures)),
        );
    for (level, name, rank, rank_change, f) in lines {
        out.push_str(level);
        out.push(',');
        field(&mut out, name);
        let _ = write!(out, ",{rank},{}", change(rank_change).text());
        for cell in figures(f) {
            out.push(',');
            out.push_str(&cell.text());
        }
        out.push_str("\r\n");
    }
    out
}
