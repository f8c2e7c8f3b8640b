//! The bulletin written for people and spreadsheets: text, JSON, CSV, a printable
//! bilingual HTML page and an XLSX workbook with one sheet per table.
//!
//! The figures come from `optimizer::bulletin::bulletin`; this module only lays them out
//! (`docs/progress.md`). The same renderer serves `digonce report` and
//! `GET /v1/plans/{id}/report`.

mod html;
mod table;
mod text;
mod xlsx;

use optimizer::bulletin::Bulletin;

/// An output format of the bulletin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Plain text for a terminal.
    Text,
    /// The typed bulletin as JSON.
    Json,
    /// CSV: one record per district and per owner (`level` says which).
    Csv,
    /// A printable page in Chinese and English.
    Html,
    /// An Excel workbook, one sheet per table.
    Xlsx,
}

impl Format {
    /// The media type of the format.
    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; charset=utf-8",
            Format::Json => "application/json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Why a bulletin could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// JSON encoding failed.
    #[error("could not encode the bulletin as JSON")]
    Json(#[from] serde_json::Error),
    /// The workbook could not be built.
    #[error("could not build the XLSX workbook")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// The bulletin in `format`.
///
/// # Errors
/// [`RenderError`] when encoding fails (never for valid figures in practice).
pub fn render(bulletin: &Bulletin, format: Format) -> Result<Vec<u8>, RenderError> {
    Ok(match format {
        Format::Text => text::render(bulletin).into_bytes(),
        Format::Json => serde_json::to_vec_pretty(bulletin)?,
        Format::Csv => table::csv(bulletin).into_bytes(),
        Format::Html => html::render(bulletin).into_bytes(),
        Format::Xlsx => xlsx::render(bulletin)?,
    })
}

#[cfg(test)]
mod tests;
