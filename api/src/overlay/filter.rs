//! The `bbox` and `datetime` filters of overlays and OGC API Features items.
//!
//! - `bbox=minLon,minLat,maxLon,maxLat` (WGS84, CRS84 axis order): a feature matches when
//!   its bounding box intersects the box. Boxes crossing the antimeridian are refused.
//! - `datetime=`: an RFC 3339 instant (`2027-05-01T00:00:00Z`) or a date (`2027-05-01`),
//!   or an interval `a/b` whose ends may be open (`..` or empty). A feature matches when
//!   its days of work `start..=end` overlap the interval's days (UTC); features without
//!   dates (streets, crossings, moratorium conflicts, unscheduled items) do not match a
//!   `datetime` filter.
//!
//! `status` is reported on the instant's day, or the interval's first day (its last when
//! the start is open), or today without `datetime`.

use chrono::{DateTime, NaiveDate};

use super::OverlayFeature;

/// Why a filter parameter was refused; the message names the value and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// `bbox` is not four finite numbers with min <= max within longitude/latitude range.
    #[error("bbox {given:?} must be minLon,minLat,maxLon,maxLat with min <= max in degrees")]
    Bbox {
        /// The value given.
        given: String,
    },
    /// `datetime` is not an RFC 3339 instant, a date or an interval of those.
    #[error(
        "datetime {given:?} must be an RFC 3339 instant or date, or an interval a/b with '..' for an open end"
    )]
    Datetime {
        /// The value given.
        given: String,
    },
}

/// A parsed filter: which features match and on which day statuses are reported.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// `[min lon, min lat, max lon, max lat]`, if given.
    pub bbox: Option<[f64; 4]>,
    /// The day interval (inclusive, either end open), if given.
    pub days: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    /// The day statuses are reported on.
    pub status_day: NaiveDate,
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(instant.with_timezone(&chrono::Utc).date_naive());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn parse_bbox(text: &str) -> Result<[f64; 4], FilterError> {
    let error = || FilterError::Bbox {
        given: text.to_owned(),
    };
    let numbers: Vec<f64> = text
        .split(',')
        .map(|n| n.trim().parse::<f64>().map_err(|_parse_float| error()))
        .collect::<Result<_, _>>()?;
    let [w, s, e, n] = numbers[..] else {
        return Err(error());
    };
    let ok = [w, s, e, n].iter().all(|x| x.is_finite())
        && (-180.0..=180.0).contains(&w)
        && (-180.0..=180.0).contains(&e)
        && (-90.0..=90.0).contains(&s)
        && (-90.0..=90.0).contains(&n)
        && w <= e
        && s <= n;
    if ok { Ok([w, s, e, n]) } else { Err(error()) }
}

type Interval = (Option<NaiveDate>, Option<NaiveDate>);

fn parse_datetime(text: &str) -> Result<Interval, FilterError> {
    let error = || FilterError::Datetime {
        given: text.to_owned(),
    };
    let end = |part: &str| -> Result<Option<NaiveDate>, FilterError> {
        let part = part.trim();
        if part.is_empty() || part == ".." {
            Ok(None)
        } else {
            parse_day(part).map(Some).ok_or_else(error)
        }
    };
    match text.split_once('/') {
        None => {
            let day = parse_day(text.trim()).ok_or_else(error)?;
            Ok((Some(day), Some(day)))
        }
        Some((a, b)) => {
            let (from, to) = (end(a)?, end(b)?);
            if from.zip(to).is_some_and(|(f, t)| f > t) || (from.is_none() && to.is_none()) {
                return Err(error());
            }
            Ok((from, to))
        }
    }
}

impl Filter {
    /// Reads the query parameters; `today` is the status day without `datetime`.
    ///
    /// # Errors
    /// [`FilterError`] naming the parameter value that is not allowed.
    pub fn parse(
        bbox: Option<&str>,
        datetime: Option<&str>,
        today: NaiveDate,
    ) -> Result<Filter, FilterError> {
        let bbox = bbox.map(parse_bbox).transpose()?;
        let days = datetime.map(parse_datetime).transpose()?;
        let status_day = days.and_then(|(f, t)| f.or(t)).unwrap_or(today);
        Ok(Filter {
            bbox,
            days,
            status_day,
        })
    }

    /// No filter, statuses on `day`.
    #[must_use]
    pub fn on(day: NaiveDate) -> Filter {
        Filter {
            bbox: None,
            days: None,
            status_day: day,
        }
    }

    /// The day statuses are reported on.
    #[must_use]
    pub fn status_day(&self) -> NaiveDate {
        self.status_day
    }

    /// Whether `feature` passes both filters.
    #[must_use]
    pub fn matches(&self, feature: &OverlayFeature) -> bool {
        let in_box = self.bbox.is_none_or(|[w, s, e, n]| {
            let b = feature.bbox;
            b[0] <= e && b[2] >= w && b[1] <= n && b[3] >= s
        });
        let in_time = self
            .days
            .is_none_or(|(from, to)| match (feature.start, feature.end) {
                (Some(start), Some(end)) => {
                    from.is_none_or(|f| end >= f) && to.is_none_or(|t| start <= t)
                }
                _ => false,
            });
        in_box && in_time
    }
}

#[cfg(test)]
mod tests {
    use geo::{Geometry, Point};
    use serde_json::Map;

    use super::*;
    use crate::overlay::Kind;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    fn work(lon: f64, span: Option<(&str, &str)>) -> OverlayFeature {
        OverlayFeature {
            kind: Kind::Work,
            id: "w".into(),
            geometry: Geometry::Point(Point::new(lon, 39.9)),
            bbox: [lon, 39.9, lon, 39.9],
            start: span.map(|s| d(s.0)),
            end: span.map(|s| d(s.1)),
            deadline: None,
            properties: Map::new(),
        }
    }

    #[test]
    fn an_interval_matches_works_whose_days_overlap_it() {
        let today = d("2027-01-01");
        let f = Filter::parse(
            None,
            Some("2027-05-01T00:00:00Z/2027-05-31T23:00:00Z"),
            today,
        )
        .expect("valid");
        assert_eq!(f.status_day(), d("2027-05-01"));
        assert!(f.matches(&work(116.4, Some(("2027-04-20", "2027-05-01")))));
        assert!(f.matches(&work(116.4, Some(("2027-05-31", "2027-06-10")))));
        assert!(!f.matches(&work(116.4, Some(("2027-06-01", "2027-06-10")))));
        assert!(
            !f.matches(&work(116.4, None)),
            "undated features do not match"
        );
    }

    #[test]
    fn open_ends_and_plain_dates_are_accepted() {
        let today = d("2027-01-01");
        let after = Filter::parse(None, Some("2027-06-01/.."), today).expect("valid");
        assert!(after.matches(&work(116.4, Some(("2027-06-01", "2027-06-02")))));
        assert!(!after.matches(&work(116.4, Some(("2027-05-01", "2027-05-31")))));
        let before = Filter::parse(None, Some("/2027-05-01"), today).expect("valid");
        assert_eq!(before.status_day(), d("2027-05-01"));
        let instant = Filter::parse(None, Some("2027-05-03"), today).expect("valid");
        assert_eq!(
            instant.days,
            Some((Some(d("2027-05-03")), Some(d("2027-05-03"))))
        );
        assert_eq!(
            Filter::parse(None, None, today)
                .expect("valid")
                .status_day(),
            today
        );
    }

    #[test]
    fn malformed_filters_are_refused_with_their_value() {
        let today = d("2027-01-01");
        for bad in ["1,2,3", "a,b,c,d", "10,0,5,1", "0,95,1,96", "NaN,0,1,1"] {
            let error = Filter::parse(Some(bad), None, today).expect_err(bad);
            assert!(error.to_string().contains(bad), "{error}");
        }
        for bad in ["yesterday", "../..", "2027-06-01/2027-05-01", "2027-13-01"] {
            assert!(matches!(
                Filter::parse(None, Some(bad), today),
                Err(FilterError::Datetime { .. })
            ));
        }
    }

    #[test]
    fn a_bbox_keeps_features_that_touch_it() {
        let f =
            Filter::parse(Some("116.3,39.8,116.45,40.0"), None, d("2027-01-01")).expect("valid");
        assert!(f.matches(&work(116.4, None)));
        assert!(!f.matches(&work(116.5, None)));
    }
}
