//! The node's module layers, checked: a module may use only modules of lower layers, so
//! there is no import circle and each layer can be read (and tested) without those above.
//!
//! The check reads the crate's sources, takes every `crate::…` path outside comments and
//! test modules, and compares the module it names with [`LAYERS`]. A new module must be
//! added to a layer; a new reference that points upwards fails the test with its file.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

/// Layers from the bottom up. Adapters are listed one by one: each sits just above what it
/// adapts.
const LAYERS: &[&[&str]] = &[
    &["tasks", "metrics", "keystore"],
    &["executor"],
    &["chain"],
    &["test_utils", "adapters::txpool", "adapters::finality", "adapters::network"],
    &["consensus"],
    &["offchain", "upgrade"],
    &["sync"],
    &["adapters::rpc", "informant", "cli"],
    &["service"],
    &["command"],
];

fn layer_of(unit: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&unit))
}

/// The unit a path inside the crate names: its top-level module, or `adapters::<name>`.
fn unit_of(path: &str) -> String {
    let mut parts = path.split("::");
    let top = parts.next().unwrap_or_default();
    match (top, parts.next()) {
        ("adapters", Some(adapter)) => format!("adapters::{adapter}"),
        _ => top.to_owned(),
    }
}

/// Source without `//` comments and without the trailing `#[cfg(test)] mod tests`.
fn code_of(source: &str) -> String {
    let source = source.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
    source.lines().map(|line| line.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// Every `crate::a::b` path in `code`, `use crate::{a, b::{c, d}}` groups expanded one level.
fn crate_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 || (depth == 1 && ch == ',') {
                    paths.push(item.trim().trim_end_matches("::").to_owned());
                    item.clear();
                    if depth == 0 {
                        break;
                    }
                } else if depth == 1 || ch.is_alphanumeric() || ch == '_' || ch == ':' {
                    item.push(ch);
                }
            }
        } else {
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
            paths.push(rest[..end].trim_end_matches("::").to_owned());
        }
    }
    paths.retain(|path| !path.is_empty());
    paths
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the source directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_uses_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut violations = BTreeSet::new();
    let mut checked = 0;
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src").to_string_lossy().replace('/', "::");
        let module = relative.trim_end_matches(".rs").trim_end_matches("::mod");
        // Binaries (`main`, `bin/*`) use the library from outside, as `ludus_node::…`.
        if ["lib", "main", "layering", "adapters"].contains(&module) || module.starts_with("bin::") {
            continue;
        }
        let unit = unit_of(module);
        let Some(own) = layer_of(&unit) else {
            violations.insert(format!("{module}: module `{unit}` is in no layer of layering::LAYERS"));
            continue;
        };
        let source = std::fs::read_to_string(&file).expect("read a source file");
        for path in crate_paths(&code_of(&source)) {
            let used = unit_of(&path);
            if used == unit || used == "adapters" {
                continue;
            }
            checked += 1;
            match layer_of(&used) {
                Some(layer) if layer < own => {}
                Some(_) => {
                    violations.insert(format!("{module} uses crate::{path}: `{used}` is not below `{unit}`"));
                }
                None => {
                    violations.insert(format!("{module} uses crate::{path}: `{used}` is in no layer"));
                }
            }
        }
    }
    assert!(checked > 50, "the check saw the crate's references ({checked})");
    assert!(violations.is_empty(), "layering violations:\n{}", violations.into_iter().collect::<Vec<_>>().join("\n"));
}

#[test]
fn the_path_reader_expands_use_groups() {
    let code = "use crate::{chain::{Chain, ChainError}, consensus, adapters::txpool::NodePool};\nlet x = crate::sync::announcement(&b);";
    let units: Vec<String> = crate_paths(code).iter().map(|path| unit_of(path)).collect();
    assert_eq!(units, ["chain", "consensus", "adapters::txpool", "sync"]);
}
