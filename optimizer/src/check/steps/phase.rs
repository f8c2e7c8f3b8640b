//! Compound phases: which a compound has, how long each lasts and whose crew does it
//! (`docs/input-format.md`, "Compound phases").
//!
//! A compound gets `clearing` and the surface phase `pave` (every class); `greening` and
//! `facilities` (`beautify`, `upgrade`, `integrate`); `smart_management` (`upgrade`,
//! `integrate`); and one phase per extra task. A phase lasts
//! `max(minimum, ceil(days per building × buildings))` working days, computed here in
//! tenths of a day so no rounding of binary fractions can add a day.

use geodata::plan::{Compound, CompoundTask, RenovationClass, Trade};

use crate::city::document::ActivityKind;

/// Duration and crew of one phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::check) struct PhaseRule {
    /// Tenths of a working day per building.
    tenths_per_building: u64,
    /// Minimum working days.
    min_days: u32,
    /// The trade whose crew does it.
    pub(in crate::check) crew: Trade,
}

impl PhaseRule {
    /// Working days for a compound of `buildings` buildings.
    pub(in crate::check) fn days(self, buildings: u32) -> u32 {
        let scaled = (self.tenths_per_building * u64::from(buildings)).div_ceil(10);
        u32::try_from(scaled).unwrap_or(u32::MAX).max(self.min_days)
    }
}

/// The table of phases: days per building, minimum, crew.
pub(in crate::check) fn phase_rule(kind: ActivityKind) -> Option<PhaseRule> {
    let (tenths_per_building, min_days, crew) = match kind {
        ActivityKind::Clearing => (5, 3, Trade::Clearing),
        ActivityKind::Pave => (15, 10, Trade::Paving),
        ActivityKind::Roofing => (20, 5, Trade::Roofing),
        ActivityKind::FacadeInsulation => (30, 10, Trade::FacadeInsulation),
        ActivityKind::Greening => (5, 5, Trade::Greening),
        ActivityKind::Facilities => (3, 5, Trade::Facilities),
        ActivityKind::SmartManagement => (2, 3, Trade::General),
        ActivityKind::Elevator => (50, 30, Trade::General),
        ActivityKind::Parking => (3, 5, Trade::Paving),
        _ => return None,
    };
    Some(PhaseRule {
        tenths_per_building,
        min_days,
        crew,
    })
}

/// The phases of a compound, class phases first, then extra tasks, each once.
pub(in crate::check) fn phase_kinds(compound: &Compound) -> Vec<ActivityKind> {
    let mut kinds = vec![ActivityKind::Clearing, ActivityKind::Pave];
    if matches!(
        compound.class,
        RenovationClass::Beautify | RenovationClass::Upgrade | RenovationClass::Integrate
    ) {
        kinds.extend([ActivityKind::Greening, ActivityKind::Facilities]);
    }
    if matches!(
        compound.class,
        RenovationClass::Upgrade | RenovationClass::Integrate
    ) {
        kinds.push(ActivityKind::SmartManagement);
    }
    for task in &compound.extra_tasks {
        let kind = match task {
            CompoundTask::RoofWaterproofing => ActivityKind::Roofing,
            CompoundTask::FacadeInsulation => ActivityKind::FacadeInsulation,
            CompoundTask::Greening => ActivityKind::Greening,
            CompoundTask::Facilities => ActivityKind::Facilities,
            CompoundTask::SmartManagement => ActivityKind::SmartManagement,
            CompoundTask::Elevator => ActivityKind::Elevator,
            CompoundTask::Parking => ActivityKind::Parking,
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}

/// The phase a trade work referencing a compound stands for and replaces.
pub(in crate::check) fn stood_for_by(trade: Trade) -> Option<ActivityKind> {
    match trade {
        Trade::Clearing => Some(ActivityKind::Clearing),
        Trade::Paving => Some(ActivityKind::Pave),
        Trade::Roofing => Some(ActivityKind::Roofing),
        Trade::FacadeInsulation => Some(ActivityKind::FacadeInsulation),
        Trade::Greening => Some(ActivityKind::Greening),
        Trade::Facilities => Some(ActivityKind::Facilities),
        Trade::CleanHeating | Trade::General => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(kind: ActivityKind, buildings: u32) -> u32 {
        phase_rule(kind).expect("a phase").days(buildings)
    }

    #[test]
    fn a_phase_lasts_its_days_per_building_but_at_least_its_minimum() {
        assert_eq!(days(ActivityKind::Pave, 4), 10);
        assert_eq!(days(ActivityKind::Pave, 9), 14, "ceil(13.5)");
        assert_eq!(days(ActivityKind::Elevator, 7), 35);
        assert_eq!(days(ActivityKind::Clearing, 0), 3);
    }

    #[test]
    fn tenths_never_round_a_whole_product_up() {
        // 0.3 × 10 is 3.0000000000000004 in binary floating point.
        assert_eq!(days(ActivityKind::Facilities, 50), 15);
        assert_eq!(days(ActivityKind::Parking, 40), 12);
        assert_eq!(days(ActivityKind::SmartManagement, 25), 5);
    }

    #[test]
    fn only_phases_have_a_rule_and_their_crews_follow_the_table() {
        assert_eq!(phase_rule(ActivityKind::Lay), None);
        assert_eq!(
            phase_rule(ActivityKind::Parking).map(|r| r.crew),
            Some(Trade::Paving)
        );
        assert_eq!(
            phase_rule(ActivityKind::SmartManagement).map(|r| r.crew),
            Some(Trade::General)
        );
        assert_eq!(stood_for_by(Trade::Paving), Some(ActivityKind::Pave));
        assert_eq!(stood_for_by(Trade::General), None);
    }
}
