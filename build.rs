//! Embeds the built site (wasm, its JS loader, CSS, public files) into the server binary
//! when `SCRUTINY_EMBED_SITE` names the site folder, so the binary can be deployed alone.
//! The site is built before the server (`.ci/build` does both in order); without
//! the variable nothing is embedded and the server reads `LEPTOS_SITE_ROOT` from disk,
//! which is what `cargo leptos watch/serve` want (they build both halves at once).
//!
//! It also lists the database migrations (`migrations/sqlite`, `migrations/postgres`) for
//! `db::migrations`, in place of sqlx's `migrate!` macro: that macro needs sqlx's `macros`
//! feature, which compiled a second copy of sqlx with its SQLite and PostgreSQL drivers
//! (SQLite's C included) for the compiler, in every first build and every test build.
use std::{
    env, fs,
    path::{Path, PathBuf},
};

fn main() {
    println!("cargo:rerun-if-env-changed=SCRUTINY_EMBED_SITE");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut files = Vec::new();
    // Only the server embeds; the wasm build (feature hydrate) never does.
    if let (Some(site), Some(_)) = (env::var_os("SCRUTINY_EMBED_SITE"), env::var_os("CARGO_FEATURE_SSR")) {
        let site = fs::canonicalize(&site)
            .unwrap_or_else(|e| panic!("SCRUTINY_EMBED_SITE={}: {e}", Path::new(&site).display()));
        println!("cargo:rerun-if-changed={}", site.display());
        collect(&site, &site, &mut files);
        files.sort();
        assert!(
            files.iter().any(|(path, _)| path.ends_with(".wasm")),
            "SCRUTINY_EMBED_SITE={} holds no .wasm file: build the site first",
            site.display()
        );
    }
    let mut code = String::from(
        "/// The embedded site: (URL path, bytes), sorted by path.\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (path, file) in &files {
        code.push_str(&format!("    ({path:?}, include_bytes!({:?})),\n", file.display().to_string()));
    }
    code.push_str("];\n");
    fs::write(out.join("site_files.rs"), code).expect("write site_files.rs");

    let mut code = String::new();
    for backend in ["sqlite", "postgres"] {
        code.push_str(&migration_list(backend));
    }
    fs::write(out.join("migrations.rs"), code).expect("write migrations.rs");
}

/// `pub static <BACKEND>: &[(version, description, sql)]`, sorted by version, named as sqlx
/// names them (`0007_short_codes.sql` is version 7, "short codes"), so the checksums stored
/// by databases migrated with `migrate!` still match.
fn migration_list(backend: &str) -> String {
    let dir = Path::new(&env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut migrations = Vec::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("UTF-8 file name").to_owned();
        let Some((version, rest)) = name.split_once('_') else { continue };
        let Some(description) = rest.strip_suffix(".sql") else { continue };
        assert!(
            !description.ends_with(".up") && !description.ends_with(".down"),
            "{}: reversible migrations are not supported",
            path.display()
        );
        let version: i64 =
            version.parse().unwrap_or_else(|_| panic!("{}: expected a number before the first _", path.display()));
        migrations.push((version, description.replace('_', " "), path));
    }
    migrations.sort_by_key(|(version, _, _)| *version);
    let mut code = format!("pub static {}: &[(i64, &str, &str)] = &[\n", backend.to_uppercase());
    for (version, description, path) in &migrations {
        code.push_str(&format!("    ({version}, {description:?}, include_str!({:?})),\n", path.display().to_string()));
    }
    code.push_str("];\n");
    code
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).expect("under the site root");
            let url: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            files.push((format!("/{}", url.join("/")), path));
        }
    }
}
