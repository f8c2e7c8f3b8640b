//! Spatial analysis: from a validated plan to the spatial facts the optimizer needs.
//!
//! - [`corridor`]: works of different utilities or owners running side by side
//!   (dig-once opportunities), each with its shared stretch and clearance rule;
//! - [`crossing`]: works whose lines merely cross;
//! - [`trench`]: corridors grouped into pairwise-compatible excavations;
//! - [`clearance`]: jurisdiction profiles (data, with provenance per cell);
//! - [`street_cut`] and [`moratorium`]: the streets each work excavates and the cuts
//!   that fall in a road-cut moratorium;
//! - [`cluster`]: works serving each compound and clusters of compounds to renovate
//!   together;
//! - [`document`]: the result as an RFC 7946 FeatureCollection.
//!
//! All measuring is done in the plan's local metres (`Shape::local`); output geometry is
//! unprojected to WGS84 with [`LocalFrame::unproject`].

pub mod clearance;
pub mod cluster;
pub mod corridor;
pub mod crossing;
pub mod document;
pub mod moratorium;
pub mod proximity;
pub mod segment_index;
pub mod street_cut;
pub mod trench;

use geo::Coord;
use serde::{Deserialize, Serialize};

use crate::crs::LocalFrame;
use crate::plan::Plan;

pub use clearance::{ClearanceProfile, ProfileError, Provenance, Relation};
pub use cluster::{CompoundCluster, CompoundWorks};
pub use corridor::Corridor;
pub use crossing::Crossing;
pub use document::feature_collection;
pub use moratorium::{ConflictStatus, MoratoriumConflict};
pub use street_cut::StreetCut;
pub use trench::Trench;

/// Lines in WGS84: each line a list of `[longitude, latitude]`.
pub type Lines = Vec<Vec<[f64; 2]>>;

/// Unprojects local points to `[longitude, latitude]`.
#[must_use]
pub fn to_wgs84(frame: &LocalFrame, coords: &[Coord<f64>]) -> Vec<[f64; 2]> {
    coords
        .iter()
        .map(|&c| {
            let g = frame.unproject(c);
            [g.x, g.y]
        })
        .collect()
}

/// Analysis parameters not in the plan's settings, with documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AnalysisOptions {
    /// Half-width of a street given as a centre line (metres, default 10).
    pub street_buffer_m: f64,
    /// A work within this distance of a compound serves it (metres, default 5).
    pub compound_serve_distance_m: f64,
    /// Compounds with fewer households are *small* for clustering (default 300).
    pub small_compound_households: u32,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            street_buffer_m: 10.0,
            compound_serve_distance_m: 5.0,
            small_compound_households: 300,
        }
    }
}

/// The parameters an analysis ran with (echoed in its output).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameters {
    /// Clearance profile name.
    pub profile: String,
    /// Sharing distance `D` (metres).
    pub share_distance_m: f64,
    /// Minimum shared length `L` (metres).
    pub min_shared_length_m: f64,
    /// Compound cluster gap (metres).
    pub cluster_gap_m: f64,
    /// The other options.
    pub options: AnalysisOptions,
}

/// Counts and totals of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Works in the plan.
    pub works: usize,
    /// Utility works with line geometry (the ones measured).
    pub line_works: usize,
    /// Their segments.
    pub segments: usize,
    /// Corridors found.
    pub corridors: usize,
    /// Of which the profile allows one trench.
    pub shared_trench_corridors: usize,
    /// Of which only time coordination is allowed.
    pub coordinate_only_corridors: usize,
    /// Trenches formed.
    pub trenches: usize,
    /// Crossings.
    pub crossings: usize,
    /// (work, street) cuts.
    pub street_cuts: usize,
    /// Moratorium conflicts.
    pub moratorium_conflicts: usize,
    /// Of which unavoidable.
    pub unavoidable_conflicts: usize,
    /// Compound clusters.
    pub clusters: usize,
    /// Sum of corridor lengths (metres).
    pub total_shared_length_m: f64,
    /// Sum of trench lengths (metres).
    pub total_trench_length_m: f64,
}

/// Everything the analysis found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Analysis {
    /// What it ran with.
    pub parameters: Parameters,
    /// Counts and totals.
    pub summary: Summary,
    /// Corridors, sorted by work ids.
    pub corridors: Vec<Corridor>,
    /// Trenches, sorted by member ids.
    pub trenches: Vec<Trench>,
    /// Crossings.
    pub crossings: Vec<Crossing>,
    /// Street cuts, by work then street.
    pub street_cuts: Vec<StreetCut>,
    /// Moratorium conflicts, by work then street.
    pub moratorium_conflicts: Vec<MoratoriumConflict>,
    /// Works serving each compound.
    pub compound_works: Vec<CompoundWorks>,
    /// Compound clusters.
    pub clusters: Vec<CompoundCluster>,
}

/// Analyses a plan with its own clearance profile (`settings.clearance_profile`).
///
/// # Errors
/// [`ProfileError::Unknown`] if the plan names a profile that is not built in.
pub fn analyze(plan: &Plan, options: &AnalysisOptions) -> Result<Analysis, ProfileError> {
    let profile = ClearanceProfile::built_in(&plan.settings.clearance_profile)?;
    Ok(analyze_with(plan, &profile, options))
}

/// Analyses a plan with a given clearance profile.
///
/// # Complexity
/// O(n log n + k) in the number of segments n and nearby segment pairs k.
#[must_use]
pub fn analyze_with(
    plan: &Plan,
    profile: &ClearanceProfile,
    options: &AnalysisOptions,
) -> Analysis {
    let settings = &plan.settings;
    let works = corridor::LineWorks::of(plan);
    let mut detection = corridor::detect(
        &works,
        &plan.frame,
        profile,
        settings.share_distance_m,
        settings.min_shared_length_m,
    );
    let (trenches, of_corridor) = trench::group(&works, &plan.frame, profile, &detection.corridors);
    for (c, t) in detection.corridors.iter_mut().zip(of_corridor) {
        c.trench = t;
    }
    let street_cuts = street_cut::cuts(plan, &works, options.street_buffer_m);
    let moratorium_conflicts =
        moratorium::conflicts(plan, &works, &plan.frame, profile, &street_cuts);
    let compound_works = cluster::compound_works(plan, options.compound_serve_distance_m);
    let clusters = cluster::clusters(
        plan,
        settings.cluster_gap_m,
        options.small_compound_households,
    );
    let corridors = detection.corridors;
    let summary = Summary {
        works: plan.works.len(),
        line_works: works.works.len(),
        segments: works.segment_count(),
        corridors: corridors.len(),
        shared_trench_corridors: corridors.iter().filter(|c| c.shared_trench_allowed).count(),
        coordinate_only_corridors: corridors
            .iter()
            .filter(|c| !c.shared_trench_allowed)
            .count(),
        trenches: trenches.len(),
        crossings: detection.crossings.len(),
        street_cuts: street_cuts.len(),
        moratorium_conflicts: moratorium_conflicts.len(),
        unavoidable_conflicts: moratorium_conflicts
            .iter()
            .filter(|m| m.status == ConflictStatus::Unavoidable)
            .count(),
        clusters: clusters.len(),
        total_shared_length_m: corridors.iter().map(|c| c.length_m).sum(),
        total_trench_length_m: trenches.iter().map(|t| t.length_m).sum(),
    };
    Analysis {
        parameters: Parameters {
            profile: profile.name.clone(),
            share_distance_m: settings.share_distance_m,
            min_shared_length_m: settings.min_shared_length_m,
            cluster_gap_m: settings.cluster_gap_m,
            options: *options,
        },
        summary,
        corridors,
        trenches,
        crossings: detection.crossings,
        street_cuts,
        moratorium_conflicts,
        compound_works,
        clusters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Paving, RenovationClass, Utility};
    use crate::testkit::{CompoundBuilder, PlanBuilder, StreetBuilder, WorkBuilder, date, square};

    fn city() -> PlanBuilder {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.street(
            StreetBuilder::new("main-st")
                .along(&[(-50.0, 0.0), (300.0, 0.0)])
                .paved(date(2024, 5, 1), Paving::New),
        );
        b.work(
            WorkBuilder::pipeline("water-1", Utility::Water)
                .owner("water co")
                .along(&[(0.0, 2.0), (200.0, 2.0)])
                .diameter_mm(150.0),
        );
        b.work(
            WorkBuilder::pipeline("sewer-1", Utility::Sewer)
                .owner("drain co")
                .along(&[(0.0, 3.5), (200.0, 3.5)]),
        );
        b.work(
            WorkBuilder::pipeline("gas-1", Utility::Gas)
                .owner("gas co")
                .along(&[(0.0, -1.0), (150.0, -1.0)]),
        );
        b.work(
            WorkBuilder::pipeline("tel-1", Utility::Telecom)
                .owner("tel co")
                .along(&[(100.0, -100.0), (100.0, 100.0)]),
        );
        b.compound(
            CompoundBuilder::new("c1", RenovationClass::Integrate)
                .households(400)
                .ring(&square(0.0, 10.0, 80.0)),
        );
        b.compound(
            CompoundBuilder::new("c2", RenovationClass::Basic)
                .households(80)
                .ring(&square(100.0, 10.0, 60.0)),
        );
        b
    }

    #[test]
    fn a_small_city_yields_corridors_trench_crossings_conflicts_and_a_cluster() {
        let plan = city().build();
        let a = analyze(&plan, &AnalysisOptions::default()).expect("default profile");
        let s = &a.summary;
        // water-sewer (1.5 m apart), water-gas (3 m), sewer-gas (4.5 m: too far).
        assert_eq!(s.corridors, 2, "{:?}", a.corridors);
        assert_eq!(s.shared_trench_corridors, 1);
        assert_eq!(s.trenches, 1);
        assert_eq!(a.trenches[0].works, ["sewer-1", "water-1"]);
        assert!(
            (a.trenches[0].min_separation_m - 1.0).abs() < 1e-12,
            "d<=200 water"
        );
        assert_eq!(s.crossings, 3, "the telecom line crosses the three mains");
        assert_eq!(s.street_cuts, 4);
        assert_eq!(s.moratorium_conflicts, 4);
        assert_eq!(s.clusters, 1);
        let fc = feature_collection(&a);
        assert_eq!(fc["type"], "FeatureCollection");
        let features = fc["features"].as_array().expect("features");
        assert_eq!(features.len(), 2 + 1 + 3 + 4);
        for f in features {
            assert!(f["properties"]["kind"].is_string());
            assert!(f["properties"]["works"].is_array());
        }
        assert_eq!(fc["summary"]["corridors"], 2);
        assert_eq!(
            a.corridors
                .iter()
                .find(|c| c.shared_trench_allowed)
                .and_then(|c| c.trench.clone()),
            Some("trench-1".to_owned())
        );
    }

    #[test]
    fn the_us_profile_splits_water_and_sewer() {
        let plan = city().build();
        let profile = ClearanceProfile::built_in("us-generic").expect("valid");
        let a = analyze_with(&plan, &profile, &AnalysisOptions::default());
        let ws = a
            .corridors
            .iter()
            .find(|c| c.works == ["sewer-1".to_owned(), "water-1".to_owned()])
            .expect("corridor");
        assert!(!ws.shared_trench_allowed);
        // water-gas may share in the US profile (no NESC rule against it).
        assert_eq!(a.summary.trenches, 1);
        assert_eq!(a.trenches[0].works, ["gas-1", "water-1"]);
    }

    #[test]
    fn corridor_geometry_is_wgs84_near_the_frame_centre() {
        let plan = city().build();
        let a = analyze(&plan, &AnalysisOptions::default()).expect("profile");
        let p = a.corridors[0].geometry[0][0];
        assert!(
            (p[0] - 116.4).abs() < 0.01 && (p[1] - 39.9).abs() < 0.01,
            "{p:?}"
        );
    }
}
