//! The OpenAPI 3 document, generated from the handlers' annotations, and the offline
//! documentation page that renders it (no external assets: one HTML page with inline
//! script, served by the binary itself).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::problem_details::ProblemKind;

/// The service's API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "digonce",
        description = "Plans urban renewal works so streets are dug once: plans, planning jobs, schedules and per-company exports. Errors are RFC 9457 problem documents."
    ),
    paths(
        crate::routes::meta::health,
        crate::routes::plans::create,
        crate::routes::plans::list,
        crate::routes::plans::get,
        crate::routes::plans::source,
        crate::routes::plans::replace,
        crate::routes::plans::delete,
        crate::routes::jobs::submit,
        crate::routes::jobs::get,
        crate::routes::jobs::cancel,
        crate::routes::schedules::get,
        crate::routes::schedules::utility,
        crate::routes::layers::analysis,
        crate::routes::heating::choose,
        crate::routes::heating::villages,
        crate::routes::layers::plan_overlay,
        crate::routes::layers::schedule_overlay,
        crate::routes::ogc::landing,
        crate::routes::ogc::conformance,
        crate::routes::ogc::collections,
        crate::routes::ogc::collection_info,
        crate::routes::ogc::items,
        crate::routes::ogc::item,
        crate::routes::progress::submit,
        crate::routes::progress::report,
        crate::routes::progress_map::get,
        crate::routes::residents::page,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "meta", description = "Health and documentation"),
        (name = "plans", description = "Plan uploads with versions"),
        (name = "jobs", description = "Planning jobs"),
        (name = "schedules", description = "Schedules and dig-schedule exports"),
        (name = "layers", description = "Analysis and map overlays (GeoJSON)"),
        (name = "ogc", description = "OGC API - Features (core, GeoJSON) over the overlay layers"),
        (name = "progress", description = "Progress reports and the bulletin by district and owner"),
    )
)]
pub struct ApiDoc;

/// Adds the bearer-token security scheme.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from `digonce token create --role ROLE`. Not needed in open mode.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document as JSON.
///
/// # Errors
/// The encoder's error (not expected: the document is plain data).
pub fn document() -> Result<String, serde_json::Error> {
    ApiDoc::openapi().to_json()
}

/// The documentation page: renders `/v1/openapi.json` in the browser without any
/// network access beyond the service itself, and lists the problem types that the
/// `type` URIs of error documents point at.
#[must_use]
pub fn docs_page() -> String {
    let problems = ProblemKind::ALL
        .iter()
        .map(|kind| {
            format!(
                "<li id=\"problem-{slug}\"><code>{slug}</code>: {title}</li>",
                slug = kind.slug(),
                title = kind.title()
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    DOCS_TEMPLATE.replace("<!--PROBLEMS-->", &problems)
}

const DOCS_TEMPLATE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>digonce API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{background:#f4f4f4;padding:0 .2em}
.op{border:1px solid #ddd;border-radius:4px;margin:.6rem 0;padding:.4rem .8rem}
.m{display:inline-block;min-width:4.5em;font-weight:bold;text-transform:uppercase}
.get{color:#0a6}.post{color:#06c}.put{color:#a60}.delete{color:#c00}
table{border-collapse:collapse}td{padding:.1rem .6rem .1rem 0;vertical-align:top}
</style></head><body>
<h1>digonce API</h1>
<p>Machine-readable description: <a href="openapi.json">/v1/openapi.json</a> (OpenAPI 3).
Authenticate with <code>Authorization: Bearer &lt;token&gt;</code> unless the service runs in open mode.</p>
<div id="ops"><noscript>Enable JavaScript to list the operations, or read openapi.json.</noscript></div>
<h2>Problem types</h2>
<p>Every error is <code>application/problem+json</code> (RFC 9457) whose <code>type</code> points here.</p>
<ul>
<!--PROBLEMS-->
</ul>
<script>
fetch('openapi.json').then(r => r.json()).then(doc => {
  const root = document.getElementById('ops');
  root.textContent = '';
  const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      const params = (op.parameters || []).map(p =>
        `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${esc(p.description)}</td></tr>`).join('');
      const responses = Object.entries(op.responses || {}).map(([code, r]) =>
        `<tr><td><code>${esc(code)}</code></td><td>${esc(r.description)}</td></tr>`).join('');
      const div = document.createElement('div');
      div.className = 'op';
      div.innerHTML = `<div><span class="m ${esc(method)}">${esc(method)}</span> <code>${esc(path)}</code>
        <span> ${esc((op.tags || []).join(', '))}</span></div>
        <p>${esc(op.summary || op.description)}</p>
        ${params ? `<table><tr><th align=left colspan=3>Parameters</th></tr>${params}</table>` : ''}
        <table><tr><th align=left colspan=2>Responses</th></tr>${responses}</table>`;
      root.appendChild(div);
    }
  }
}).catch(e => { document.getElementById('ops').textContent = 'Could not load openapi.json: ' + e; });
</script>
</body></html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_every_route_with_its_methods() {
        let doc: serde_json::Value =
            serde_json::from_str(&document().expect("encode")).expect("json");
        let paths = doc["paths"].as_object().expect("paths");
        for (path, methods) in [
            ("/v1/plans", &["get", "post"][..]),
            ("/v1/plans/{id}", &["get", "put", "delete"][..]),
            ("/v1/plans/{id}/schedules", &["post"][..]),
            ("/v1/jobs/{id}", &["get", "delete"][..]),
            ("/v1/schedules/{id}", &["get"][..]),
            ("/v1/schedules/{id}/utilities/{owner}", &["get"][..]),
            ("/v1/plans/{id}/analysis", &["get"][..]),
            ("/v1/plans/{id}/heating", &["post"][..]),
            ("/v1/plans/{id}/villages", &["get"][..]),
            ("/v1/plans/{id}/overlay", &["get"][..]),
            ("/v1/schedules/{id}/overlay", &["get"][..]),
            ("/v1/ogc", &["get"][..]),
            ("/v1/ogc/conformance", &["get"][..]),
            ("/v1/ogc/collections", &["get"][..]),
            ("/v1/ogc/collections/{collectionId}", &["get"][..]),
            ("/v1/ogc/collections/{collectionId}/items", &["get"][..]),
            (
                "/v1/ogc/collections/{collectionId}/items/{featureId}",
                &["get"][..],
            ),
        ] {
            for method in methods {
                assert!(
                    paths[path].get(*method).is_some(),
                    "{method} {path} is missing"
                );
            }
        }
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    }

    #[test]
    fn the_docs_page_needs_no_external_assets() {
        let page = docs_page();
        assert!(!page.contains("http://"));
        assert!(!page.contains("https://"));
        assert!(page.contains("id=\"problem-invalid-plan\""));
    }

    /// The field names of the table under the heading `` `name` `` of the page, or `None`
    /// when the page has no such section. Rows are `` | `field` | type | meaning | ``.
    fn table_fields(page: &str, name: &str) -> Option<Vec<String>> {
        let heading = format!("`{name}`");
        let mut lines = page
            .lines()
            .skip_while(|l| !(l.starts_with('#') && l.trim_start_matches('#').trim() == heading))
            .skip(1)
            .take_while(|l| !l.starts_with('#'))
            .peekable();
        lines.peek()?;
        Some(
            lines
                .filter_map(|l| l.strip_prefix("| `"))
                .filter_map(|l| l.split_once('`').map(|(field, _)| field.to_owned()))
                .collect(),
        )
    }

    #[test]
    fn the_schedule_document_page_lists_every_field() {
        let page = include_str!("../../docs/schedule-document.md");
        let doc: serde_json::Value =
            serde_json::from_str(&document().expect("openapi")).expect("json");
        let schemas = &doc["components"]["schemas"];
        for name in [
            "ScheduleDocument",
            "PlanRef",
            "ScheduledActivity",
            "SharedTrench",
            "DeadlineOutcome",
            "ChainLink",
            "BeyondHorizon",
            "SharingCost",
            "Advice",
            "Change",
            "RuleViolation",
            "Summary",
            "Weights",
            "Replanned",
            "OwnerChanges",
            "Moved",
            "Dated",
            "AtRisk",
        ] {
            let mut in_schema: Vec<String> = schemas[name]["properties"]
                .as_object()
                .unwrap_or_else(|| panic!("schema {name} has no properties"))
                .keys()
                .cloned()
                .collect();
            let mut in_page =
                table_fields(page, name).unwrap_or_else(|| panic!("no section for {name}"));
            in_schema.sort();
            in_page.sort();
            assert_eq!(in_page, in_schema, "docs/schedule-document.md, `{name}`");
        }
        // Enumerations: every value the schema allows is named in its section.
        for (name, section) in [
            ("ActivityKind", "ActivityKind"),
            ("MissCause", "MissCause"),
            ("Rule", "Rule"),
            ("ChangeKind", "ChangeKind"),
            ("WarmStart", "WarmStart"),
        ] {
            let values = schemas[name]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("schema {name} is no enumeration"));
            let text = page
                .split(&format!("### `{section}`"))
                .nth(1)
                .and_then(|rest| rest.split("\n#").next())
                .unwrap_or_else(|| panic!("no section for {section}"));
            for value in values {
                let value = value.as_str().expect("string value");
                assert!(
                    text.contains(&format!("`{value}`")),
                    "{name}: `{value}` undocumented"
                );
            }
        }
    }
}
