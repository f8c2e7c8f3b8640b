//! The money of a generated city: a planned cost on every work and compound, and the
//! funds allocated to each district with what has been disbursed so far.
//!
//! Costs follow typical unit prices of Chinese urban renewal (yuan): per metre of main by
//! utility, per household of a compound's own renovation and of a clean-heating
//! retrofit, per working day of a site work. They vary by ±25 % with a hash of the
//! feature's id, not with the city's random stream, so adding money left every other
//! choice of the generator (and every earlier city's geometry) unchanged.

use geo::{Euclidean, Geometry, Length};

use crate::plan::{Compound, Discipline, Duration, Fund, FundSource, Trade, Utility, Work};

/// Yuan per metre of main, by utility.
fn cny_per_metre(u: Utility) -> f64 {
    match u {
        Utility::Water => 1_800.0,
        Utility::Drainage => 2_500.0,
        Utility::Sewer => 2_800.0,
        Utility::Power => 1_500.0,
        Utility::Gas => 1_600.0,
        Utility::Heat => 4_000.0,
        Utility::Telecom => 600.0,
    }
}

/// Yuan per household of a compound's own renovation (its works carry their own cost).
const CNY_PER_HOUSEHOLD: f64 = 12_000.0;
/// Yuan per household converted by a clean-heating retrofit.
const CNY_PER_RETROFIT_HOUSEHOLD: f64 = 18_000.0;
/// Yuan per working day of a site work.
const CNY_PER_SITE_DAY: f64 = 45_000.0;

/// A number in [0.75, 1.25) from a feature id (FNV-1a): the same id, the same factor.
fn jitter(id: &str, salt: u64) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "a fraction from the top 24 bits"
    )]
    let unit = (h >> 40) as f64 / f64::from(1u32 << 24);
    0.75 + 0.5 * unit
}

/// Rounds yuan to whole thousands, as budgets are written.
fn thousands(v: f64) -> f64 {
    (v / 1_000.0).round() * 1_000.0
}

/// The planned cost of a work.
fn work_cost(w: &Work) -> f64 {
    let base = match w.discipline {
        Discipline::Utility(u) => {
            let metres = match &w.shape.local {
                Geometry::LineString(l) => Euclidean.length(l),
                Geometry::MultiLineString(l) => Euclidean.length(l),
                _ => 0.0,
            };
            metres * cny_per_metre(u)
        }
        Discipline::Trade(Trade::CleanHeating) => {
            f64::from(w.households.unwrap_or(0)) * CNY_PER_RETROFIT_HOUSEHOLD
        }
        Discipline::Trade(_) => {
            let days = match w.duration {
                Duration::Days(d) => f64::from(d),
                Duration::MetresPerDay(_) => 10.0,
            };
            days * CNY_PER_SITE_DAY
        }
    };
    thousands(base * jitter(&w.id, 1)).max(1_000.0)
}

/// Fills `investment_cny` on every work and compound and returns the district funds.
///
/// Each district gets funds from the central, provincial, municipal and county budgets
/// (30, 20, 25 and 10 % of its compounds' and their works' cost), from the utilities
/// (their mains outside compounds are shared out by compound count) and from residents
/// (5 %). Disbursed shares vary by district between 40 and 95 %, so some districts hold
/// back money (资金留置).
pub(super) fn fill(
    compounds: &mut [Compound],
    works: &mut [Work],
    districts: &[&str],
) -> Vec<Fund> {
    for w in works.iter_mut() {
        w.investment_cny = Some(work_cost(w));
    }
    for c in compounds.iter_mut() {
        c.investment_cny = Some(thousands(
            f64::from(c.households) * CNY_PER_HOUSEHOLD * jitter(&c.id, 2),
        ));
    }
    let mut public: Vec<f64> = vec![0.0; districts.len()];
    let mut count: Vec<usize> = vec![0; districts.len()];
    let district_of = |c: &Compound| districts.iter().position(|d| *d == c.district);
    for c in compounds.iter() {
        if let Some(k) = district_of(c) {
            public[k] += c.investment_cny.unwrap_or(0.0);
            count[k] += 1;
        }
    }
    let index: std::collections::HashMap<&str, usize> = compounds
        .iter()
        .filter_map(|c| Some((c.id.as_str(), district_of(c)?)))
        .collect();
    let mut utility_total = 0.0;
    for w in works.iter() {
        let cost = w.investment_cny.unwrap_or(0.0);
        match w.compound.as_deref().and_then(|c| index.get(c)) {
            Some(&k) => public[k] += cost,
            None => utility_total += cost,
        }
    }
    let all: usize = count.iter().sum::<usize>().max(1);
    let shares = [
        (FundSource::Central, 0.30),
        (FundSource::Provincial, 0.20),
        (FundSource::Municipal, 0.25),
        (FundSource::County, 0.10),
        (FundSource::Residents, 0.05),
    ];
    let mut funds = Vec::new();
    for (k, district) in districts.iter().enumerate() {
        let paid = 0.40 + 0.55 * (jitter(district, 3) - 0.75) * 2.0;
        #[expect(
            clippy::cast_precision_loss,
            reason = "compound counts are far below 2^52"
        )]
        let utility_share = utility_total * count[k] as f64 / all as f64;
        let mut add = |source: FundSource, allocated: f64| {
            let allocated_cny = thousands(allocated);
            funds.push(Fund {
                source,
                district: (*district).to_owned(),
                allocated_cny,
                disbursed_cny: thousands(allocated_cny * paid).min(allocated_cny),
            });
        };
        for (source, share) in shares {
            add(source, public[k] * share);
        }
        add(FundSource::Utility, utility_share + public[k] * 0.10);
    }
    funds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_a_quarter_and_depends_on_the_id() {
        for id in ["w1", "w2", "c-17", ""] {
            let j = jitter(id, 1);
            assert!((0.75..1.25).contains(&j), "{id}: {j}");
        }
        assert!((jitter("w1", 1) - jitter("w2", 1)).abs() > 1e-9);
    }
}
