//! The dashboard's static files (the wasm bundle, its JS loader, the CSS, `public/`),
//! embedded in a release binary built with `SCRUTINY_EMBED_SITE` (see `build.rs` and
//! `.ci/build`), so the binary alone serves every page.
//!
//! Pages ask for the bundle under a versioned folder, `/pkg/<version>/scrutiny.wasm`,
//! where the version is a hash of every embedded file: those answers are cached by
//! browsers for a year (`immutable`). The same files answer at their plain address
//! (`/pkg/scrutiny.css`, `/robots.txt`) with an ETag and `no-cache`, so a browser
//! revalidates them. Text and wasm are gzipped once, on first use, never per request.
//! A binary built without the variable embeds nothing and the router serves
//! `LEPTOS_SITE_ROOT` from disk instead (development, `cargo leptos serve`).
use std::{
    collections::HashMap,
    io::Write,
    sync::{Arc, OnceLock},
};

use axum::{
    body::Body,
    extract::Request,
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use sha2::{Digest, Sha256};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/site_files.rs"));
}

/// A year: how long a versioned file may be kept without asking again.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Plain addresses: keep, but check the ETag before each use.
const REVALIDATE: &str = "no-cache";

/// The site's files, by URL path, and the version that names this set of files.
pub struct Site {
    files: HashMap<&'static str, Asset>,
    version: String,
    pkg_prefix: String,
}

struct Asset {
    bytes: Bytes,
    content_type: &'static str,
    etag: String,
    /// Compressed once, when first asked for (None: not worth compressing).
    gzip: OnceLock<Option<Bytes>>,
}

/// The files compiled into this binary, or None when it was built without them.
pub fn embedded(pkg_dir: &str) -> Option<Arc<Site>> {
    static SITE: OnceLock<Option<Arc<Site>>> = OnceLock::new();
    SITE.get_or_init(|| (!embedded::FILES.is_empty()).then(|| Arc::new(Site::new(embedded::FILES, pkg_dir)))).clone()
}

impl Site {
    /// `files` are (URL path, bytes); `pkg_dir` is the bundle's folder (`LEPTOS_SITE_PKG_DIR`).
    pub fn new(files: &'static [(&'static str, &'static [u8])], pkg_dir: &str) -> Site {
        let mut whole = Sha256::new();
        let files = files
            .iter()
            .map(|(path, bytes)| {
                whole.update(path.as_bytes());
                whole.update((bytes.len() as u64).to_le_bytes());
                whole.update(bytes);
                let asset = Asset {
                    bytes: Bytes::from_static(bytes),
                    content_type: content_type(path),
                    etag: format!("\"{}\"", &hex(&Sha256::digest(bytes))[..20]),
                    gzip: OnceLock::new(),
                };
                (*path, asset)
            })
            .collect();
        let version = hex(&whole.finalize())[..12].to_string();
        Site { files, version, pkg_prefix: format!("/{}/", pkg_dir.trim_matches('/')) }
    }

    /// Names this set of files: the bundle's versioned folder is `<pkg_dir>/<version>`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The answer for `method path` with these request headers, or None when no file
    /// has that address.
    pub fn respond(&self, method: &Method, path: &str, headers: &HeaderMap) -> Option<Response> {
        let (asset, cache) = self.find(path)?;
        if method != Method::GET && method != Method::HEAD {
            let mut response = StatusCode::METHOD_NOT_ALLOWED.into_response();
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return Some(response);
        }
        let gzip = asset.gzipped().filter(|_| {
            crate::respond::accepts_gzip(headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()))
        });
        let etag = match gzip {
            Some(_) => format!("{}-gz\"", asset.etag.trim_end_matches('"')),
            None => asset.etag.clone(),
        };
        let mut response = if none_match(headers, &etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut response = Response::new(Body::from(gzip.cloned().unwrap_or_else(|| asset.bytes.clone())));
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
            if gzip.is_some() {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            response
        };
        let h = response.headers_mut();
        h.insert(header::ETAG, HeaderValue::from_str(&etag).expect("hex etag"));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        if asset.gzipped().is_some() {
            h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        Some(response)
    }

    /// The file at `path` and how long it may be cached: versioned bundle paths for a
    /// year; a versioned path of another version is not found (it names other files).
    fn find(&self, path: &str) -> Option<(&Asset, &'static str)> {
        if let Some(rest) = path.strip_prefix(&self.pkg_prefix) {
            if let Some(file) = rest.strip_prefix(&self.version).and_then(|f| f.strip_prefix('/')) {
                let asset = self.files.get(format!("{}{file}", self.pkg_prefix).as_str())?;
                return Some((asset, IMMUTABLE));
            }
        }
        self.files.get(path).map(|asset| (asset, REVALIDATE))
    }
}

impl Asset {
    fn gzipped(&self) -> Option<&Bytes> {
        self.gzip
            .get_or_init(|| {
                let compressible = self.content_type.starts_with("text/")
                    || ["application/wasm", "application/json", "image/svg+xml", "image/x-icon"]
                        .contains(&self.content_type);
                if !compressible || self.bytes.len() < 256 {
                    return None;
                }
                let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                encoder.write_all(&self.bytes).ok()?;
                let gz = encoder.finish().ok()?;
                (gz.len() < self.bytes.len()).then(|| Bytes::from(gz))
            })
            .as_ref()
    }
}

/// The router's fallback when the site is embedded: a file, or the not-found page.
pub async fn serve(site: Arc<Site>, request: Request) -> Response {
    let (method, path, headers) =
        (request.method().clone(), request.uri().path().to_string(), request.headers().clone());
    // Compressing the bundle the first time takes a few milliseconds: off the runtime.
    let answer = tokio::task::spawn_blocking(move || site.respond(&method, &path, &headers)).await.ok().flatten();
    match answer {
        Some(response) => response,
        None => crate::public::not_found().await,
    }
}

/// `If-None-Match` names this ETag (or is `*`); weak comparison, as RFC 9110 §13.1.2 says.
fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag
        },
    )
}

fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    static WASM: [u8; 4096] = [7; 4096];
    const FILES: &[(&str, &[u8])] = &[
        ("/pkg/scrutiny.css", b"body { color: black; }"),
        ("/pkg/scrutiny.js", b"export default function init() {}"),
        ("/pkg/scrutiny.wasm", &WASM),
        ("/robots.txt", b"User-agent: *\nDisallow: /admin\n"),
    ];

    fn get(site: &Site, path: &str, headers: &[(&'static str, &str)]) -> Option<Response> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        site.respond(&Method::GET, path, &map)
    }

    fn header<'a>(response: &'a Response, name: &str) -> &'a str {
        response.headers().get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
    }

    async fn body(response: Response) -> Vec<u8> {
        axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()
    }

    #[tokio::test]
    async fn versioned_paths_are_immutable_and_plain_paths_revalidate() {
        let site = Site::new(FILES, "pkg");
        let versioned = format!("/pkg/{}/scrutiny.wasm", site.version());
        let response = get(&site, &versioned, &[]).expect("found");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "content-type"), "application/wasm");
        assert_eq!(header(&response, "cache-control"), IMMUTABLE);
        assert_eq!(body(response).await, WASM.to_vec());

        let plain = get(&site, "/pkg/scrutiny.css", &[]).expect("found");
        assert_eq!(header(&plain, "cache-control"), "no-cache");
        assert_eq!(header(&plain, "content-type"), "text/css; charset=utf-8");
        assert!(get(&site, "/robots.txt", &[]).is_some());
        // Another version's folder names other files; nothing outside the site is found.
        assert!(get(&site, "/pkg/0123456789ab/scrutiny.wasm", &[]).is_none());
        for missing in ["/pkg/", "/pkg/scrutiny", "/", "/pkg/../robots.txt", "/ROBOTS.TXT", "/pkg//scrutiny.js"] {
            assert!(get(&site, missing, &[]).is_none(), "{missing}");
        }
        assert!(get(&site, &format!("/pkg/{}/", site.version()), &[]).is_none());
    }

    #[tokio::test]
    async fn gzip_is_sent_to_clients_that_take_it_with_its_own_etag() {
        let site = Site::new(FILES, "pkg");
        let path = format!("/pkg/{}/scrutiny.wasm", site.version());
        let plain = get(&site, &path, &[("accept-encoding", "br")]).unwrap();
        assert_eq!(header(&plain, "content-encoding"), "");
        assert_eq!(header(&plain, "vary"), "accept-encoding");
        let plain_etag = header(&plain, "etag").to_string();
        let zipped = get(&site, &path, &[("accept-encoding", "gzip, deflate, br, zstd")]).unwrap();
        assert_eq!(header(&zipped, "content-encoding"), "gzip");
        let zipped_etag = header(&zipped, "etag").to_string();
        assert_ne!(plain_etag, zipped_etag);
        let gz = body(zipped).await;
        assert!(gz.len() < WASM.len() / 10);
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut unzipped).unwrap();
        assert_eq!(unzipped, WASM.to_vec());
        // Tiny files are not worth it.
        let css = get(&site, "/pkg/scrutiny.css", &[("accept-encoding", "gzip")]).unwrap();
        assert_eq!(header(&css, "content-encoding"), "");
        assert_eq!(header(&css, "vary"), "");
    }

    #[tokio::test]
    async fn a_known_etag_is_not_modified() {
        let site = Site::new(FILES, "pkg");
        let first = get(&site, "/robots.txt", &[]).unwrap();
        let etag = header(&first, "etag").to_string();
        for asked in [etag.clone(), format!("W/{etag}"), format!("\"nope\", {etag}"), "*".into()] {
            let again = get(&site, "/robots.txt", &[("if-none-match", &asked)]).unwrap();
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{asked}");
            assert_eq!(header(&again, "etag"), etag);
            assert!(body(again).await.is_empty());
        }
        let other = get(&site, "/robots.txt", &[("if-none-match", "\"nope\"")]).unwrap();
        assert_eq!(other.status(), StatusCode::OK);
    }

    #[test]
    fn only_get_and_head_are_answered() {
        let site = Site::new(FILES, "pkg");
        let head = site.respond(&Method::HEAD, "/robots.txt", &HeaderMap::new()).unwrap();
        assert_eq!(head.status(), StatusCode::OK);
        let post = site.respond(&Method::POST, "/robots.txt", &HeaderMap::new()).unwrap();
        assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(site.respond(&Method::POST, "/nothing", &HeaderMap::new()).is_none());
    }

    #[test]
    fn the_version_changes_with_any_file() {
        const OTHER: &[(&str, &[u8])] = &[("/pkg/scrutiny.css", b"body { color: red; }")];
        assert_ne!(Site::new(FILES, "pkg").version(), Site::new(OTHER, "pkg").version());
        assert_eq!(Site::new(FILES, "/pkg/").version(), Site::new(FILES, "pkg").version());
    }
}
