//! The map page for officials: `/map/{plan_id}` shows a plan's overlay, its timeline and a
//! Gantt-like list in the browser.
//!
//! The page is built from `web/` (MapLibre GL JS bundled with esbuild, see `web/README.md`)
//! into `api/assets/map/`, and those files are embedded in the binary here, so the page works
//! with no network access beyond this server: no CDN, no glyphs, no sprites. The page fetches
//! `GET /v1/plans/{id}/overlay` (`docs/http-api.md#map-overlay`) and `/map/config.json`
//! (a [`MapConfig`]).
//!
//! Routes added by [`configure`]:
//! - `GET /map/config.json`: the [`MapConfig`] found in app data, or the default (no basemap).
//! - `GET /map/assets/{file}`: the bundle; `ETag` on every asset, and a year of immutable
//!   caching when the request carries the asset's current `?v=` key (the page always does).
//! - `GET /map/{plan_id}`: the page, with the plan id and the asset keys filled in.

use std::sync::LazyLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

/// The coordinate system of a basemap's tiles, which decides the overlay's `?crs=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TileCrs {
    /// WGS84 tiles (OpenStreetMap-style): overlays are requested as they are stored.
    #[default]
    Wgs84,
    /// GCJ-02 tiles (Chinese web basemaps): the page requests overlays with `?crs=gcj02`.
    Gcj02,
}

/// Map page settings from the server configuration, served at `/map/config.json`.
///
/// Without a tile URL the page draws the plan on a plain background and fetches nothing
/// but this server's own routes. Register it with
/// `App::new().app_data(web::Data::new(map_config))`; absent, the default applies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapConfig {
    /// An optional raster tile URL template (`https://tiles.example/{z}/{x}/{y}.png`).
    pub tile_url: Option<String>,
    /// The coordinate system of those tiles.
    #[serde(default)]
    pub tile_crs: TileCrs,
    /// Attribution text the tile provider requires, shown on the map.
    #[serde(default)]
    pub tile_attribution: Option<String>,
}

/// One embedded file of the built page.
struct Asset {
    /// File name under `/map/assets/`.
    name: &'static str,
    /// `Content-Type` header value.
    content_type: &'static str,
    /// The file as built by `web/build.mjs`.
    bytes: &'static [u8],
}

/// The page template; `{{plan_id}}` and the `{{..._v}}` cache keys are filled per request.
const INDEX_HTML: &str = include_str!("../assets/map/index.html");

/// The files served under `/map/assets/` (index.html is not among them: it is a template).
const ASSETS: [Asset; 4] = [
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/map/app.js"),
    },
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/map/app.css"),
    },
    Asset {
        name: "maplibre-gl-worker.mjs",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/map/maplibre-gl-worker.mjs"),
    },
    Asset {
        name: "maplibre-gl.LICENSE.txt",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../assets/map/maplibre-gl.LICENSE.txt"),
    },
];

/// Cache key of each asset (FNV-1a of its bytes, hex), in `ASSETS` order; computed once.
static VERSIONS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| format!("{:016x}", fnv1a(a.bytes)))
        .collect()
});

/// 64-bit FNV-1a: a content hash good enough for cache keys (not for security).
///
/// # Complexity
/// O(n) in the length of `bytes`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Cache key of the asset named `name` (empty if unknown).
fn version_of(name: &str) -> &'static str {
    ASSETS
        .iter()
        .position(|a| a.name == name)
        .map_or("", |i| VERSIONS[i].as_str())
}

/// Escapes text for an HTML attribute value or element content.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The page for one plan: the template with the plan id and asset cache keys filled in.
fn render_page(plan_id: &str) -> String {
    INDEX_HTML
        .replace("{{plan_id}}", &escape_html(plan_id))
        .replace("{{app_js_v}}", version_of("app.js"))
        .replace("{{app_css_v}}", version_of("app.css"))
        .replace("{{worker_v}}", version_of("maplibre-gl-worker.mjs"))
}

/// Registers the map page routes (see the module docs) on an actix-web app or scope.
///
/// Register it before any catch-all route; it claims only paths under `/map/`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/map/config.json", web::get().to(config))
        .route("/map/assets/{file}", web::get().to(asset))
        .route("/map/{plan_id}", web::get().to(page));
}

/// `GET /map/{plan_id}`: the page. Never cached, so a new build reaches browsers at once.
async fn page(plan_id: web::Path<String>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(render_page(&plan_id))
}

/// `GET /map/config.json`: the [`MapConfig`] from app data, or the default.
async fn config(cfg: Option<web::Data<MapConfig>>) -> HttpResponse {
    let cfg = cfg.map(|c| c.get_ref().clone()).unwrap_or_default();
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(cfg)
}

/// `GET /map/assets/{file}`: an embedded asset, with `ETag` revalidation, and immutable
/// caching when the request names the current version (`?v=`).
async fn asset(req: HttpRequest, file: web::Path<String>) -> HttpResponse {
    let Some(i) = ASSETS.iter().position(|a| a.name == file.as_str()) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such map asset");
    };
    let asset = &ASSETS[i];
    let version = VERSIONS[i].as_str();
    let etag = format!("\"{version}\"");
    let versioned =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .is_ok_and(|q| q.get("v").is_some_and(|v| v == version));
    let cache = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "public, no-cache"
    };
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ETAG, etag))
        .insert_header((
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ));
    if matches {
        res.finish()
    } else {
        res.content_type(asset.content_type).body(asset.bytes)
    }
}

#[cfg(test)]
mod tests {
    use actix_web::App;
    use actix_web::test as actix_test;

    use super::*;

    async fn get(app_cfg: Option<MapConfig>, uri: &str) -> actix_web::dev::ServiceResponse {
        let mut app = App::new().configure(configure);
        if let Some(c) = app_cfg {
            app = app.app_data(web::Data::new(c));
        }
        let svc = actix_test::init_service(app).await;
        actix_test::call_service(&svc, actix_test::TestRequest::get().uri(uri).to_request()).await
    }

    fn header_of(res: &actix_web::dev::ServiceResponse, name: header::HeaderName) -> String {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    #[actix_web::test]
    async fn the_page_names_its_plan_escaped_and_links_versioned_assets() {
        let res = get(None, "/map/p_%3Cb%3E%22x").await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            header_of(&res, header::CONTENT_TYPE),
            "text/html; charset=utf-8"
        );
        assert_eq!(header_of(&res, header::CACHE_CONTROL), "no-cache");
        let body =
            String::from_utf8(actix_test::read_body(res).await.to_vec()).expect("utf-8 page");
        assert!(body.contains(r#"content="p_&lt;b&gt;&quot;x""#), "{body}");
        assert!(!body.contains("{{"), "every placeholder is filled");
        assert!(body.contains(&format!("assets/app.js?v={}", version_of("app.js"))));
        assert!(body.contains(&format!(
            "assets/maplibre-gl-worker.mjs?v={}",
            version_of("maplibre-gl-worker.mjs")
        )));
    }

    #[actix_web::test]
    async fn assets_have_their_types_and_are_immutable_only_at_their_version() {
        let v = version_of("app.js");
        let res = get(None, &format!("/map/assets/app.js?v={v}")).await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            header_of(&res, header::CONTENT_TYPE),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            header_of(&res, header::CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        let body = actix_test::read_body(res).await;
        assert_eq!(body.len(), ASSETS[0].bytes.len());

        let stale = get(None, "/map/assets/app.css?v=old").await;
        assert_eq!(
            header_of(&stale, header::CONTENT_TYPE),
            "text/css; charset=utf-8"
        );
        assert_eq!(header_of(&stale, header::CACHE_CONTROL), "public, no-cache");
        let licence = get(None, "/map/assets/maplibre-gl.LICENSE.txt").await;
        assert_eq!(licence.status(), 200);
        let text = actix_test::read_body(licence).await;
        assert!(String::from_utf8_lossy(&text).contains("MapLibre"));
    }

    #[actix_web::test]
    async fn a_matching_etag_is_answered_with_not_modified() {
        let app = actix_test::init_service(App::new().configure(configure)).await;
        let first = actix_test::call_service(
            &app,
            actix_test::TestRequest::get()
                .uri("/map/assets/maplibre-gl-worker.mjs")
                .to_request(),
        )
        .await;
        let etag = header_of(&first, header::ETAG);
        assert!(etag.starts_with('"') && etag.len() == 18, "{etag}");
        let again = actix_test::call_service(
            &app,
            actix_test::TestRequest::get()
                .uri("/map/assets/maplibre-gl-worker.mjs")
                .insert_header((header::IF_NONE_MATCH, etag.as_str()))
                .to_request(),
        )
        .await;
        assert_eq!(again.status(), 304);
        assert!(actix_test::read_body(again).await.is_empty());
    }

    #[actix_web::test]
    async fn unknown_assets_and_the_template_itself_are_not_served() {
        assert_eq!(get(None, "/map/assets/nope.js").await.status(), 404);
        assert_eq!(get(None, "/map/assets/index.html").await.status(), 404);
        assert_eq!(get(None, "/map/assets/..%2FCargo.toml").await.status(), 404);
    }

    #[actix_web::test]
    async fn the_config_defaults_to_no_basemap_and_reports_a_configured_one() {
        let res = get(None, "/map/config.json").await;
        assert_eq!(res.status(), 200);
        let cfg: MapConfig = actix_test::read_body_json(res).await;
        assert_eq!(cfg, MapConfig::default());

        let gcj = MapConfig {
            tile_url: Some("https://tiles.invalid/{z}/{x}/{y}.png".to_owned()),
            tile_crs: TileCrs::Gcj02,
            tile_attribution: None,
        };
        let res = get(Some(gcj.clone()), "/map/config.json").await;
        let json: serde_json::Value = actix_test::read_body_json(res).await;
        assert_eq!(json["tile_crs"], "gcj02");
        assert_eq!(json["tile_url"], "https://tiles.invalid/{z}/{x}/{y}.png");
    }

    #[test]
    fn cache_keys_follow_the_content() {
        assert_ne!(fnv1a(b"a"), fnv1a(b"b"));
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(version_of("app.js").len(), 16);
        assert_eq!(version_of("missing"), "");
    }
}
