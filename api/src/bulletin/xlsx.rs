//! The bulletin as an XLSX workbook: one sheet per table (districts, owners, late, and
//! heating when the plan has villages), a
//! header row in English over one in Chinese, numbers as numbers.

use optimizer::bulletin::Bulletin;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::table::{Cell, tables};

/// The workbook's bytes.
pub(super) fn render(b: &Bulletin) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for table in tables(b) {
        let sheet = book.add_worksheet();
        sheet.set_name(table.name)?;
        for (c, (en, zh)) in table.headers.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            sheet.write_string_with_format(0, c, *en, &bold)?;
            sheet.write_string_with_format(1, c, *zh, &bold)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = u32::try_from(r + 2).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                match cell {
                    Cell::Text(s) => {
                        sheet.write_string(r, c, s)?;
                    }
                    Cell::Number(v) => {
                        sheet.write_number(r, c, *v)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    book.save_to_buffer()
}
