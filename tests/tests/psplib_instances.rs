//! Data: every PSPLIB instance committed under `data/psplib/` reads through the engine's
//! parser with the published shape, and has a reference makespan in the files the
//! benchmark compares against (`data/psplib/README.md`).

use std::collections::HashSet;

use digonce_tests::reference_data;
use optimizer::benchmark::psplib::parse;

/// A PSPLIB set: its folder, jobs per instance (dummy source and sink included) and the
/// reference makespan files that must list every instance.
struct InstanceSet {
    name: &'static str,
    jobs: usize,
    references: &'static [&'static str],
}

const SETS: [InstanceSet; 2] = [
    InstanceSet {
        name: "j30",
        jobs: 32,
        references: &["ref/j30opt.sm", "ref/j30hrs.sm"],
    },
    InstanceSet {
        name: "j60",
        jobs: 62,
        references: &["ref/j60hrs.sm"],
    },
];

/// Instances per set: 48 parameter combinations × 10 instances.
const INSTANCES_PER_SET: usize = 480;

/// `(parameter, instance)` of a file name such as `j3013_6.sm` in set `j30`.
fn instance_key(set: &str, file_name: &str) -> Option<(u32, u32)> {
    let (parameter, instance) = file_name
        .strip_prefix(set)?
        .strip_suffix(".sm")?
        .split_once('_')?;
    Some((parameter.parse().ok()?, instance.parse().ok()?))
}

/// The `(parameter, instance)` rows of a reference file (`par inst makespan ...` lines).
fn reference_rows(text: &str) -> HashSet<(u32, u32)> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [parameter, instance, makespan, ..] if makespan.parse::<u32>().is_ok() => {
                    Some((parameter.parse().ok()?, instance.parse().ok()?))
                }
                _ => None,
            }
        })
        .collect()
}

#[test]
fn all_960_instances_parse_with_their_published_shape_and_have_a_reference() {
    for set in &SETS {
        let folder = reference_data::path(&format!("psplib/{}", set.name));
        let mut keys = HashSet::new();
        for entry in std::fs::read_dir(&folder).expect("readable instance folder") {
            let path = entry.expect("readable folder entry").path();
            let file_name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("UTF-8 file name");
            let key = instance_key(set.name, file_name)
                .unwrap_or_else(|| panic!("{file_name} is not a {} instance name", set.name));
            let text = std::fs::read_to_string(&path).expect("readable instance");
            let problem = parse(&text).unwrap_or_else(|e| panic!("{file_name}: {e}"));
            assert_eq!(problem.activities.len(), set.jobs, "{file_name}");
            assert_eq!(problem.resources.len(), 4, "{file_name}");
            let (source, sink) = (&problem.activities[0], &problem.activities[set.jobs - 1]);
            assert_eq!(
                (source.duration, sink.duration),
                (0, 0),
                "{file_name}: dummy source and sink"
            );
            assert!(keys.insert(key), "{file_name} listed twice");
        }
        assert_eq!(keys.len(), INSTANCES_PER_SET, "{} instances", set.name);
        for reference in set.references {
            let rows = reference_rows(&reference_data::read_to_string(&format!(
                "psplib/{reference}"
            )));
            let missing: Vec<_> = keys.difference(&rows).collect();
            assert!(missing.is_empty(), "{reference} lacks {missing:?}");
        }
    }
}

#[test]
fn instance_names_read_as_parameter_and_instance() {
    assert_eq!(instance_key("j30", "j3013_6.sm"), Some((13, 6)));
    assert_eq!(instance_key("j60", "j3013_6.sm"), None);
    assert_eq!(
        reference_rows("Par Inst Makespan\n13 6 64 0.1\n"),
        HashSet::from([(13, 6)])
    );
}
