//! Each format carries the figures: JSON round-trips, CSV has one record per line, the
//! HTML is bilingual and escaped, the XLSX opens with one sheet per table.

use chrono::NaiveDate;
use optimizer::bulletin::{Bulletin, DistrictLine, Figures, HeatingLine, OwnerLine};

use super::*;

fn bulletin() -> Bulletin {
    let figures = Figures {
        works_planned_to_finish: 4,
        works_finished: 3,
        completion_rate: Some(0.75),
        spi: Some(0.9),
        ..Figures::default()
    };
    Bulletin {
        plan: "P <1>".into(),
        as_of: NaiveDate::from_ymd_opt(2027, 3, 31).expect("date"),
        silent_after_days: 7,
        total: figures.clone(),
        districts: vec![DistrictLine {
            district: "西城, Xicheng".into(),
            rank: 1,
            rank_change: Some(2),
            figures: figures.clone(),
        }],
        owners: vec![OwnerLine {
            owner: "Water Co".into(),
            rank: 1,
            rank_change: None,
            last_reported_on: None,
            not_reporting: true,
            figures,
        }],
        late: Vec::new(),
        not_reporting: vec!["Water Co".into()],
        heating: Vec::new(),
        heating_unavailable: None,
    }
}

fn with_heating() -> Bulletin {
    Bulletin {
        heating: vec![HeatingLine {
            village: "v-near".into(),
            district: "Yanqing".into(),
            route: Some("gas_wall_boiler".into()),
            households: 100,
            converted_households: 100,
            bill_before_cny: Some(2_250.0),
            bill_after_cny: Some(1_600.4),
            install_cost_after_subsidy_cny: Some(8_799.0),
            affordable: Some(true),
        }],
        ..bulletin()
    }
}

#[test]
fn a_plan_with_villages_gets_a_heating_table_in_every_format_but_csv() {
    use calamine::Reader as _;
    let b = with_heating();
    let back: Bulletin =
        serde_json::from_slice(&render(&b, Format::Json).expect("json")).expect("a bulletin");
    assert_eq!(back, b);
    let html = String::from_utf8(render(&b, Format::Html).expect("html")).expect("utf-8");
    for needle in [
        "清洁取暖",
        "Clean heating by village",
        "改造后年取暖费",
        "gas_wall_boiler",
        ">1600<",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    let text = String::from_utf8(render(&b, Format::Text).expect("text")).expect("utf-8");
    assert!(text.contains("Clean heating by village"));
    assert!(text.contains("v-near") && text.contains("2250") && text.contains("1600"));
    let bytes = render(&b, Format::Xlsx).expect("xlsx");
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("an XLSX workbook");
    assert_eq!(
        book.sheet_names(),
        vec!["districts", "owners", "late", "heating"]
    );
    let sheet = book.worksheet_range("heating").expect("heating sheet");
    assert_eq!(
        sheet.get_value((2, 5)),
        Some(&calamine::Data::Float(2_250.0))
    );
    assert_eq!(
        sheet.get_value((2, 6)),
        Some(&calamine::Data::Float(1_600.0))
    );
    let csv = String::from_utf8(render(&b, Format::Csv).expect("csv")).expect("utf-8");
    assert!(
        !csv.contains("v-near"),
        "the CSV stays one record per district and owner"
    );
}

#[test]
fn json_round_trips() {
    let bytes = render(&bulletin(), Format::Json).expect("json");
    let back: Bulletin = serde_json::from_slice(&bytes).expect("a bulletin");
    assert_eq!(back, bulletin());
}

#[test]
fn csv_has_a_record_per_district_and_owner_with_quoted_names() {
    let text = String::from_utf8(render(&bulletin(), Format::Csv).expect("csv")).expect("utf-8");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("level,name,rank,rank_change,works_planned_to_start"));
    assert!(lines[1].starts_with("district,\"西城, Xicheng\",1,2,0,0,4,3,0.7500,"));
    assert!(lines[2].starts_with("owner,Water Co,1,,"));
}

#[test]
fn html_is_bilingual_escaped_and_names_the_silent_owners() {
    let html = String::from_utf8(render(&bulletin(), Format::Html).expect("html")).expect("utf-8");
    for needle in [
        "进度通报",
        "Progress bulletin",
        "完成率",
        "completion_rate",
        "P &lt;1&gt;",
        "Water Co",
        "75.0%",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    assert!(!html.contains("<script"));
}

#[test]
fn xlsx_opens_with_one_sheet_per_table() {
    use calamine::Reader as _;
    let bytes = render(&bulletin(), Format::Xlsx).expect("xlsx");
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("an XLSX workbook");
    assert_eq!(book.sheet_names(), vec!["districts", "owners", "late"]);
    let sheet = book.worksheet_range("districts").expect("districts sheet");
    assert_eq!(
        sheet.get_value((0, 0)).map(ToString::to_string).as_deref(),
        Some("district")
    );
    assert_eq!(
        sheet.get_value((1, 0)).map(ToString::to_string).as_deref(),
        Some("区县")
    );
    assert_eq!(sheet.get_value((2, 7)), Some(&calamine::Data::Float(0.75)));
}

#[test]
fn text_names_the_ranking() {
    let text = String::from_utf8(render(&bulletin(), Format::Text).expect("text")).expect("utf-8");
    assert!(text.contains("as of 2027-03-31"));
    assert!(text.contains("  1   +2  西城, Xicheng"));
    assert!(text.contains("Not reporting for more than 7 days: Water Co"));
}
