//! The plan settings of a generated city: its name and start, the national holidays,
//! enough crews per discipline to carry the programme, and a limit of open street cuts
//! per district.

use chrono::{Datelike, NaiveDate};

use super::{Generator, whole};
use crate::plan::{Settings, Street, Trade};

impl Generator<'_> {
    pub(super) fn settings(&self, streets: &[Street]) -> Settings {
        let name = format!(
            "Synthetic city (seed {}, {} compounds)",
            self.config.seed, self.config.compounds
        );
        let mut settings = Settings::with_defaults(name, self.config.start);
        let year = self.config.start.year();
        for y in [year, year + 1] {
            let labour = (1..=5).filter_map(|d| NaiveDate::from_ymd_opt(y, 5, d));
            let national = (1..=7).filter_map(|d| NaiveDate::from_ymd_opt(y, 10, d));
            settings.calendars.holidays.extend(labour.chain(national));
        }
        // Enough crews to carry the work in about a third of the two years: the works'
        // own days grow by the excavation steps, weekends and the phases every compound
        // gets from its class (clearing above all, a few days per compound), and the
        // rainy and frozen seasons close a third of the calendar to some trades.
        let mut days_by_discipline = self.work_days.clone();
        *days_by_discipline
            .entry(Trade::Clearing.as_str())
            .or_default() += 6 * u64::try_from(self.config.compounds).unwrap_or(u64::MAX);
        for (&discipline, &days) in &days_by_discipline {
            #[expect(
                clippy::cast_precision_loss,
                reason = "crew-days of a city are far below 2^52"
            )]
            let crews = whole(days as f64 / 120.0).max(2);
            settings.crews.insert(discipline.to_owned(), crews);
        }
        for district in &self.districts {
            let n = streets
                .iter()
                .filter(|s| s.district.as_deref() == Some(*district))
                .count();
            // About three cuts open per two streets: enough to carry the programme with the
            // frozen months closed, few enough that the limit still shapes the order.
            let limit = u32::try_from(3 * n / 2).unwrap_or(u32::MAX).max(6);
            settings
                .district_limits
                .insert((*district).to_owned(), limit);
        }
        settings
    }
}
