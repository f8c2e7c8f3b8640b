//! Precedence templates and duration rules, as data.
//!
//! # Provenance
//! Sources and marks (VERIFIED, SECONDARY, UNVERIFIED, ASSUMED) are in `docs/domain.md`:
//! * **Step order of a pipeline work** — excavate → lay → test → backfill → restore:
//!   Shihezi 2024, "trench → lay → weld → build manholes → backfill → road restoration"
//!   (VERIFIED; `docs/domain.md#work-templates-and-productivities`). Welding and manholes
//!   are folded into `test`.
//! * **Restoration within 3 days on trunk roads, 5 on others** after backfill: a local
//!   road-excavation rule (SECONDARY, region unnamed; same section). Configurable.
//! * **Backfill soon after the test** ("快挖快填", dig and backfill quickly: VERIFIED as a
//!   slogan, no number): 7 days is an ASSUMPTION. Configurable.
//! * **Duration shares** of a pipeline work (25/30/10/15/20 %), of a paving work (60/40 %)
//!   and of a clean-heating retrofit (15/20/45/10/10 %): ASSUMPTIONS, no source found; every
//!   part is at least one day, so a work shorter than its step count grows to that count.
//! * **Compound order** 先地下、后地上 (underground first; VERIFIED,
//!   `docs/domain.md#compound-renovation-classes-and-phases`): clearing → underground
//!   (pipeline works) → surface / building envelope → greening, facilities, smart
//!   management. Phase sets per class: same section.
//! * **Pipe penetrations before roof waterproofing and facade insulation** (winter-works
//!   text, SECONDARY; same section): every `lay` of the compound's pipeline works and every
//!   in-home clean-heating retrofit finish before the roofing and facade insulation start.
//! * **Clean heating** household confirmation → equipment tender → in-home retrofit →
//!   connection → commissioning, connection after the gas/power works, commissioning before
//!   the heating season (`docs/domain.md#clean-heating-chains`; the season date is
//!   UNVERIFIED, a parameter).
//! * **Compound phase durations** (days per building, minimum days): ASSUMPTIONS sized so a
//!   20-building compound takes one season (a northern city: 39 compounds, 331 buildings,
//!   Jul–Oct; `docs/domain.md#compound-renovation-classes-and-phases`), configurable.

use geodata::plan::{CompoundTask, RenovationClass, Trade};
use serde::{Deserialize, Serialize};

use super::ActivityKind;

/// Duration of a compound phase: `max(min_days, ceil(per_building * buildings))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PhaseRate {
    /// Days per building.
    pub per_building: f64,
    /// Minimum days.
    pub min_days: u32,
}

impl PhaseRate {
    /// The phase duration for a compound with `buildings` buildings (at least 1 day).
    #[must_use]
    pub fn days(&self, buildings: u32) -> u32 {
        let scaled = (self.per_building.max(0.0) * f64::from(buildings)).ceil();
        let scaled = if scaled.is_finite() && scaled < f64::from(u32::MAX) {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "checked finite, non-negative and below u32::MAX just above"
            )]
            let s = scaled as u32;
            s
        } else {
            u32::MAX
        };
        scaled.max(self.min_days).max(1)
    }
}

/// Every tunable number of the templates, with documented defaults (see module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Templates {
    /// Shares of excavate, lay, test, backfill, restore in a pipeline work's duration.
    pub pipeline_shares: [u32; 5],
    /// Shares of subbase and pave in a paving work's duration.
    pub paving_shares: [u32; 2],
    /// Shares of confirm, tender, retrofit, connect, commission in a clean-heating work.
    pub clean_heating_shares: [u32; 5],
    /// Maximum days between the end of the last test and the start of the backfill.
    pub backfill_max_gap_days: i64,
    /// Maximum days between backfill end and restoration start on trunk roads.
    pub restore_max_gap_trunk_days: i64,
    /// Maximum days between backfill end and restoration start on other roads.
    pub restore_max_gap_other_days: i64,
    /// Compound clearing.
    pub clearing: PhaseRate,
    /// Compound roads and yards (surface).
    pub surface: PhaseRate,
    /// Roof waterproofing.
    pub roofing: PhaseRate,
    /// Facade insulation.
    pub facade_insulation: PhaseRate,
    /// Greening.
    pub greening: PhaseRate,
    /// Facilities.
    pub facilities: PhaseRate,
    /// Smart management.
    pub smart_management: PhaseRate,
    /// Lift retrofit.
    pub elevator: PhaseRate,
    /// Parking.
    pub parking: PhaseRate,
}

impl Default for Templates {
    fn default() -> Self {
        Self {
            pipeline_shares: [25, 30, 10, 15, 20],
            paving_shares: [60, 40],
            clean_heating_shares: [15, 20, 45, 10, 10],
            backfill_max_gap_days: 7,
            restore_max_gap_trunk_days: 3,
            restore_max_gap_other_days: 5,
            clearing: PhaseRate {
                per_building: 0.5,
                min_days: 3,
            },
            surface: PhaseRate {
                per_building: 1.5,
                min_days: 10,
            },
            roofing: PhaseRate {
                per_building: 2.0,
                min_days: 5,
            },
            facade_insulation: PhaseRate {
                per_building: 3.0,
                min_days: 10,
            },
            greening: PhaseRate {
                per_building: 0.5,
                min_days: 5,
            },
            facilities: PhaseRate {
                per_building: 0.3,
                min_days: 5,
            },
            smart_management: PhaseRate {
                per_building: 0.2,
                min_days: 3,
            },
            elevator: PhaseRate {
                per_building: 5.0,
                min_days: 30,
            },
            parking: PhaseRate {
                per_building: 0.3,
                min_days: 5,
            },
        }
    }
}

/// A compound phase: the class defaults, extra tasks, and clearing/surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Phase {
    Clearing,
    Surface,
    Task(CompoundTask),
}

/// Where a phase (or a trade work standing for it) sits in the compound order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Stage {
    /// Before anything else.
    Clearing,
    /// After underground works are restored: roads, parking, lifts.
    Surface,
    /// After pipe penetrations: roofs and facades (and general building trades, which only
    /// follow clearing).
    Envelope,
    /// After surface and envelope: greening, facilities, smart management.
    Finishing,
}

impl Phase {
    pub(crate) fn kind(self) -> ActivityKind {
        match self {
            Phase::Clearing => ActivityKind::Clearing,
            Phase::Surface => ActivityKind::Pave,
            Phase::Task(t) => match t {
                CompoundTask::RoofWaterproofing => ActivityKind::Roofing,
                CompoundTask::FacadeInsulation => ActivityKind::FacadeInsulation,
                CompoundTask::Greening => ActivityKind::Greening,
                CompoundTask::Facilities => ActivityKind::Facilities,
                CompoundTask::SmartManagement => ActivityKind::SmartManagement,
                CompoundTask::Elevator => ActivityKind::Elevator,
                CompoundTask::Parking => ActivityKind::Parking,
            },
        }
    }

    /// The trade whose crews do the phase.
    pub(crate) fn trade(self) -> Trade {
        match self {
            Phase::Clearing => Trade::Clearing,
            Phase::Surface | Phase::Task(CompoundTask::Parking) => Trade::Paving,
            Phase::Task(CompoundTask::RoofWaterproofing) => Trade::Roofing,
            Phase::Task(CompoundTask::FacadeInsulation) => Trade::FacadeInsulation,
            Phase::Task(CompoundTask::Greening) => Trade::Greening,
            Phase::Task(CompoundTask::Facilities) => Trade::Facilities,
            Phase::Task(CompoundTask::SmartManagement | CompoundTask::Elevator) => Trade::General,
        }
    }

    pub(crate) fn stage(self) -> Stage {
        stage_of_kind(self.kind())
    }

    pub(crate) fn rate(self, t: &Templates) -> PhaseRate {
        match self {
            Phase::Clearing => t.clearing,
            Phase::Surface => t.surface,
            Phase::Task(task) => match task {
                CompoundTask::RoofWaterproofing => t.roofing,
                CompoundTask::FacadeInsulation => t.facade_insulation,
                CompoundTask::Greening => t.greening,
                CompoundTask::Facilities => t.facilities,
                CompoundTask::SmartManagement => t.smart_management,
                CompoundTask::Elevator => t.elevator,
                CompoundTask::Parking => t.parking,
            },
        }
    }

    /// The phase a trade work referencing a compound stands for (it replaces that phase).
    pub(crate) fn replaced_by(trade: Trade) -> Option<Phase> {
        match trade {
            Trade::Clearing => Some(Phase::Clearing),
            Trade::Paving => Some(Phase::Surface),
            Trade::Roofing => Some(Phase::Task(CompoundTask::RoofWaterproofing)),
            Trade::FacadeInsulation => Some(Phase::Task(CompoundTask::FacadeInsulation)),
            Trade::Greening => Some(Phase::Task(CompoundTask::Greening)),
            Trade::Facilities => Some(Phase::Task(CompoundTask::Facilities)),
            Trade::CleanHeating | Trade::General => None,
        }
    }
}

/// The stage of a compound activity kind (pipeline steps and the clean-heating chain are
/// linked separately and never asked).
pub(crate) fn stage_of_kind(kind: ActivityKind) -> Stage {
    match kind {
        ActivityKind::Clearing => Stage::Clearing,
        ActivityKind::Roofing | ActivityKind::FacadeInsulation | ActivityKind::General => {
            Stage::Envelope
        }
        ActivityKind::Greening | ActivityKind::Facilities | ActivityKind::SmartManagement => {
            Stage::Finishing
        }
        _ => Stage::Surface,
    }
}

/// The default phases of a renovation class, clearing and surface included
/// (`docs/domain.md#compound-renovation-classes-and-phases`).
///
/// * basic (基础完善型): clearing, surface (drainage comes as pipeline works);
/// * beautify (环境美化型): + greening, facilities;
/// * upgrade (功能提升型) and integrate (整合提升型): + smart management (facilities cover
///   elderly care and fitness).
pub(crate) fn class_phases(class: RenovationClass) -> Vec<Phase> {
    let mut phases = vec![Phase::Clearing, Phase::Surface];
    if matches!(
        class,
        RenovationClass::Beautify | RenovationClass::Upgrade | RenovationClass::Integrate
    ) {
        phases.push(Phase::Task(CompoundTask::Greening));
        phases.push(Phase::Task(CompoundTask::Facilities));
    }
    if matches!(class, RenovationClass::Upgrade | RenovationClass::Integrate) {
        phases.push(Phase::Task(CompoundTask::SmartManagement));
    }
    phases
}

/// Splits `total` days by `shares` (largest remainder), every part at least 1 day.
///
/// The parts sum to `total` whenever `total >= shares.len()` and no share is zero.
#[must_use]
pub fn split_days(total: u32, shares: &[u32]) -> Vec<u32> {
    let sum: u64 = shares.iter().map(|s| u64::from(*s)).sum();
    if sum == 0 {
        return vec![1; shares.len()];
    }
    let total64 = u64::from(total);
    let mut parts: Vec<u64> = shares
        .iter()
        .map(|s| total64 * u64::from(*s) / sum)
        .collect();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(total64 * u64::from(shares[i]) % sum));
    let assigned: u64 = parts.iter().sum();
    for &i in order
        .iter()
        .take(usize::try_from(total64 - assigned).unwrap_or(0))
    {
        parts[i] += 1;
    }
    // Give every empty part one day, taken from the largest part while it can spare one.
    for i in 0..parts.len() {
        if parts[i] == 0 {
            if let Some(j) = (0..parts.len())
                .filter(|&j| parts[j] > 1)
                .max_by_key(|&j| (parts[j], std::cmp::Reverse(j)))
            {
                parts[j] -= 1;
            }
            parts[i] = 1;
        }
    }
    parts
        .into_iter()
        .map(|p| u32::try_from(p).unwrap_or(u32::MAX))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipeline_split_sums_to_the_work_duration() {
        let t = Templates::default();
        assert_eq!(split_days(20, &t.pipeline_shares), vec![5, 6, 2, 3, 4]);
        for total in 5..200 {
            let parts = split_days(total, &t.pipeline_shares);
            assert_eq!(parts.iter().sum::<u32>(), total, "total {total}");
            assert!(parts.iter().all(|p| *p >= 1));
        }
    }

    #[test]
    fn short_works_grow_to_one_day_per_step() {
        let t = Templates::default();
        assert_eq!(split_days(1, &t.pipeline_shares), vec![1; 5]);
        assert_eq!(split_days(3, &t.clean_heating_shares), vec![1; 5]);
        assert_eq!(split_days(1, &t.paving_shares), vec![1, 1]);
    }

    #[test]
    fn phase_rates_scale_with_buildings_and_respect_the_minimum() {
        let r = PhaseRate {
            per_building: 1.5,
            min_days: 10,
        };
        assert_eq!(r.days(2), 10);
        assert_eq!(r.days(9), 14);
        let zero = PhaseRate {
            per_building: 0.0,
            min_days: 0,
        };
        assert_eq!(zero.days(100), 1);
    }

    #[test]
    fn classes_add_phases_cumulatively() {
        let basic = class_phases(RenovationClass::Basic);
        let beautify = class_phases(RenovationClass::Beautify);
        let upgrade = class_phases(RenovationClass::Upgrade);
        assert_eq!(basic, vec![Phase::Clearing, Phase::Surface]);
        assert!(beautify.contains(&Phase::Task(CompoundTask::Greening)));
        assert!(!beautify.contains(&Phase::Task(CompoundTask::SmartManagement)));
        assert!(upgrade.contains(&Phase::Task(CompoundTask::SmartManagement)));
        assert_eq!(class_phases(RenovationClass::Integrate), upgrade);
    }

    #[test]
    fn trade_works_stand_for_the_phase_of_their_trade() {
        assert_eq!(Phase::replaced_by(Trade::Paving), Some(Phase::Surface));
        assert_eq!(Phase::replaced_by(Trade::General), None);
        assert_eq!(
            Phase::Task(CompoundTask::RoofWaterproofing).stage(),
            Stage::Envelope
        );
        assert_eq!(Phase::Task(CompoundTask::Parking).stage(), Stage::Surface);
        assert_eq!(
            Phase::Task(CompoundTask::Greening).stage(),
            Stage::Finishing
        );
    }
}
