//! Rendered overlays: the GeoJSON bytes of one overlay under one query, kept with their
//! gzip encoding and an entity tag.
//!
//! A built overlay answers every filter, but rendering a 2,000-compound city is about
//! 12 MB of JSON and most of a second; the map page and GIS clients ask for the same
//! rendering again and again. Plan versions and schedules never change once stored, so a
//! rendering is fixed by the overlay it comes from, the query (`bbox`, `datetime`, `crs`)
//! and the day the status is computed on when `datetime` is absent ([`RenderKey`]). The
//! service keeps renderings in the [`OverlayCache`](super::cache::OverlayCache) beside the
//! overlays, serves them with a strong `ETag` (`If-None-Match` answers
//! `304 Not Modified`), and sends the gzip bytes compressed once to clients that accept
//! them.

use std::io::Write;

use actix_web::web::Bytes;
use chrono::NaiveDate;
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

/// Lower-case hexadecimal digits of the entity tag.
const HEX: &[u8; 16] = b"0123456789abcdef";

/// What fixes the bytes of a rendering.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RenderKey {
    /// Plan id of the overlay.
    pub plan_id: String,
    /// Its plan version.
    pub plan_version: u32,
    /// Its schedule, if any.
    pub schedule_id: Option<String>,
    /// `bbox` as asked.
    pub bbox: Option<String>,
    /// `datetime` as asked.
    pub datetime: Option<String>,
    /// `crs` as asked.
    pub crs: Option<String>,
    /// The day statuses are computed on when `datetime` is absent.
    pub today: NaiveDate,
}

/// The bytes of one rendering, plain and gzip-encoded, with their entity tag.
#[derive(Debug)]
pub struct RenderedOverlay {
    /// The GeoJSON document (shared, not copied, by every answer that sends it).
    pub body: Bytes,
    /// The same bytes, gzip-encoded.
    pub gzip: Bytes,
    /// Strong entity tag of `body`, quoted (`"…"`).
    pub etag: String,
}

impl RenderedOverlay {
    /// Encodes `body` once and tags it with the first 128 bits of its SHA-256.
    #[must_use]
    pub fn new(body: Vec<u8>) -> Self {
        let digest = Sha256::digest(&body);
        let mut etag = String::with_capacity(34);
        etag.push('"');
        for b in &digest[..16] {
            etag.push(char::from(HEX[usize::from(b >> 4)]));
            etag.push(char::from(HEX[usize::from(b & 15)]));
        }
        etag.push('"');
        let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 8), Compression::fast());
        // Writing into a Vec cannot fail; an encoder that did would leave the plain body
        // as the only encoding served.
        let gzip = encoder
            .write_all(&body)
            .and_then(|()| encoder.finish())
            .unwrap_or_default();
        Self {
            body: body.into(),
            gzip: gzip.into(),
            etag,
        }
    }

    /// Whether an `If-None-Match` header value names this rendering (or is `*`).
    #[must_use]
    pub fn matches(&self, if_none_match: &str) -> bool {
        if_none_match
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == self.etag.as_str())
    }

    /// Whether the gzip bytes can be sent to a client whose `Accept-Encoding` is `accept`
    /// (`gzip` listed with a non-zero quality).
    #[must_use]
    pub fn gzip_for(&self, accept: Option<&str>) -> bool {
        !self.gzip.is_empty()
            && accept.is_some_and(|accept| {
                accept.split(',').any(|coding| {
                    let mut parts = coding.split(';').map(str::trim);
                    let name = parts.next().unwrap_or_default();
                    let quality = parts
                        .find_map(|p| p.strip_prefix("q="))
                        .map_or(1.0, |q| q.trim().parse::<f64>().unwrap_or(0.0));
                    (name.eq_ignore_ascii_case("gzip") || name == "*") && quality > 0.0
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn the_gzip_bytes_decode_to_the_body_and_the_tag_follows_the_bytes() {
        let body = br#"{"type":"FeatureCollection","features":[]}"#.repeat(50);
        let r = RenderedOverlay::new(body.clone());
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&r.gzip[..])
            .read_to_end(&mut decoded)
            .expect("gzip");
        assert_eq!(decoded, body);
        assert!(r.gzip.len() < body.len() / 4);
        assert_eq!(r.etag.len(), 34);
        assert_eq!(RenderedOverlay::new(body).etag, r.etag);
        assert_ne!(RenderedOverlay::new(b"{}".to_vec()).etag, r.etag);
    }

    #[test]
    fn if_none_match_names_the_tag_in_a_list_weakly_or_by_star() {
        let r = RenderedOverlay::new(b"{}".to_vec());
        assert!(r.matches(&r.etag));
        assert!(r.matches(&format!("\"other\", W/{}", r.etag)));
        assert!(r.matches("*"));
        assert!(!r.matches("\"other\""));
    }

    #[test]
    fn gzip_is_sent_only_when_accepted_with_a_positive_quality() {
        let r = RenderedOverlay::new(b"{}".to_vec());
        assert!(r.gzip_for(Some("gzip, deflate, br")));
        assert!(r.gzip_for(Some("br;q=1.0, gzip;q=0.5")));
        assert!(!r.gzip_for(Some("gzip;q=0")));
        assert!(!r.gzip_for(Some("identity")));
        assert!(!r.gzip_for(None));
    }
}
