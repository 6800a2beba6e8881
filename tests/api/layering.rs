//! The layers of `src/` (README "Architecture"), checked from the `crate::…` paths each
//! file uses. Arrows point down only:
//!
//! ```text
//! top       main, app, startup, cli, seed         assemble everything
//! features  auth, cards, scan, signup, …          may use shared modules, and other
//!                                                  features only through their root or `api`
//! shared    state, db, domain, audit, limits, …   never a feature, never the top; no cycles
//! ```
use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

const TOP: &[&str] = &["main", "lib", "app", "startup", "cli", "seed"];
const FEATURES: &[&str] = &[
    "auth",
    "cards",
    "demographics",
    "email",
    "health",
    "info",
    "insight",
    "meetings",
    "panels",
    "recruits",
    "retention",
    "scan",
    "signup",
];
const SHARED: &[&str] = &[
    "assets",
    "audit",
    "config",
    "db",
    "domain",
    "error",
    "forms",
    "i18n",
    "labels",
    "limits",
    "metrics",
    "password",
    "public",
    "respond",
    "roles",
    "routes",
    "security",
    "serve",
    "settings",
    "spreadsheet",
    "state",
    "telemetry",
    "tokens",
    "ui",
];
/// A feature's insides: other features never reach into these.
const PRIVATE_PARTS: &[&str] = &["handlers", "pages", "views", "repo", "cli", "committer", "recorder", "cache"];

/// Every `crate::a::b::…` path in `source`, with `use crate::{a::{b, c}}` groups expanded
/// (comments and string literals ignored).
fn crate_paths(source: &str) -> Vec<Vec<String>> {
    let code = strip_comments_and_strings(source);
    let chars: Vec<char> = code.chars().collect();
    let mut paths = Vec::new();
    let mut i = 0;
    while let Some(at) = find(&chars, i, "crate::") {
        let boundary = at == 0 || !(chars[at - 1].is_alphanumeric() || chars[at - 1] == '_' || chars[at - 1] == ':');
        i = at + "crate::".len();
        if boundary {
            let (trees, end) = use_tree(&chars, i);
            paths.extend(trees);
            i = end;
        }
    }
    paths
}

fn find(chars: &[char], from: usize, needle: &str) -> Option<usize> {
    let needle: Vec<char> = needle.chars().collect();
    (from..chars.len().saturating_sub(needle.len() - 1)).find(|&i| chars[i..].starts_with(&needle))
}

/// Parses a use tree (`a::b`, `a::{b, c::d}`, `a::*`) starting at `i`.
fn use_tree(chars: &[char], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let skip_ws = |mut i: usize| {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        i
    };
    let mut prefix = Vec::new();
    loop {
        i = skip_ws(i);
        if i < chars.len() && chars[i] == '{' {
            let mut out = Vec::new();
            i += 1;
            loop {
                i = skip_ws(i);
                if i >= chars.len() || chars[i] == '}' {
                    return (out, i + 1);
                }
                let (trees, end) = use_tree(chars, i);
                for t in trees {
                    out.push(prefix.iter().cloned().chain(t).collect());
                }
                i = skip_ws(end);
                if i < chars.len() && chars[i] == ',' {
                    i += 1;
                }
            }
        }
        let start = i;
        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '*') {
            i += 1;
        }
        let segment: String = chars[start..i].iter().collect();
        if !segment.is_empty() && segment != "self" && segment != "*" {
            prefix.push(segment);
        }
        if chars[i..].starts_with(&[':', ':']) && !chars[i + 2..].starts_with(&['<']) {
            i += 2;
            continue;
        }
        // `as name` and anything else end the path.
        let mut end = skip_ws(i);
        if chars[end..].starts_with(&['a', 's', ' ']) {
            end = skip_ws(end + 2);
            while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
                end += 1;
            }
        } else {
            end = i;
        }
        return (vec![prefix], end);
    }
}

fn strip_comments_and_strings(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if !escaped && c == '"' {
                        break;
                    }
                    escaped = !escaped && c == '\\';
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/cards/print/mod.rs` → `cards`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().to_string();
    first.trim_end_matches(".rs").to_string()
}

/// Each file's `crate::` paths, by file (relative to `src/`).
fn uses() -> Vec<(String, String, Vec<Vec<String>>)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let source = std::fs::read_to_string(&f).unwrap();
            let rel = f.strip_prefix(&src).unwrap().display().to_string();
            (rel, module_of(&src, &f), crate_paths(&source))
        })
        .collect()
}

/// The rule broken by `from` (a module) using `path`, if any.
fn violation(from: &str, path: &[String]) -> Option<String> {
    let to = path.first()?.as_str();
    if to == from {
        return None;
    }
    let shared = |m: &str| SHARED.contains(&m);
    let feature = |m: &str| FEATURES.contains(&m);
    let top = |m: &str| TOP.contains(&m);
    if shared(from) && (feature(to) || top(to)) {
        return Some(format!("shared module `{from}` uses `{to}` above it"));
    }
    if feature(from) && top(to) {
        return Some(format!("feature `{from}` uses `{to}`, which assembles the features"));
    }
    if feature(from) && feature(to) {
        if let Some(part) = path.get(1).filter(|p| PRIVATE_PARTS.contains(&p.as_str())) {
            return Some(format!(
                "feature `{from}` reaches into `{to}::{part}`; use what `{to}` offers at its root instead"
            ));
        }
    }
    None
}

#[test]
fn every_module_is_in_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut unplaced = BTreeSet::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().trim_end_matches(".rs").to_string();
        if ![TOP, FEATURES, SHARED].iter().any(|layer| layer.contains(&name.as_str())) {
            unplaced.insert(name);
        }
    }
    assert!(unplaced.is_empty(), "put each new module in a layer in tests/api/layering.rs: {unplaced:?}");
}

#[test]
fn dependencies_point_down() {
    let mut broken = Vec::new();
    for (file, module, paths) in uses() {
        for path in paths {
            if let Some(why) = violation(&module, &path) {
                broken.push(format!("src/{file}: crate::{} — {why}", path.join("::")));
            }
        }
    }
    broken.sort();
    broken.dedup();
    assert!(broken.is_empty(), "{} layering violations:\n{}", broken.len(), broken.join("\n"));
}

#[test]
fn shared_modules_form_no_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, module, paths) in uses() {
        if SHARED.contains(&module.as_str()) {
            for path in paths {
                if let Some(to) = path.first().filter(|to| **to != module && SHARED.contains(&to.as_str())) {
                    graph.entry(module.clone()).or_default().insert(to.clone());
                }
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            return Some(stack[at..].iter().cloned().chain([node.to_string()]).collect());
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut Vec::new(), &mut done) {
            panic!("shared modules import each other: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_checker_sees_grouped_and_renamed_imports() {
    let paths = crate_paths(
        "use crate::{\n    cards::{repo as r, Card},\n    // crate::startup::AppState\n    state::AppState,\n};\n\
         let x = \"crate::app::App\"; crate::signup::handlers::card(&s);",
    );
    let joined: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(joined, ["cards::repo", "cards::Card", "state::AppState", "signup::handlers::card"]);
    assert!(violation("scan", &paths[3]).is_some(), "a feature calling another's handler is caught");
    assert!(violation("scan", &paths[1]).is_none(), "a feature's root export is allowed");
    assert!(violation("state", &paths[0]).is_some(), "shared code using a feature is caught");
    assert!(violation("cards", &["startup".into(), "AppState".into()]).is_some());
}
