//! Response helpers shared by the features' pages and server functions.
/// Sets the HTTP status of the page or server function being answered (server only;
/// nothing to do in the browser).
pub fn set_response_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(code)) =
        (leptos::prelude::use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(status))
    {
        response.set_status(code);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

#[cfg(feature = "ssr")]
/// Whether to answer with gzip (`Accept-Encoding`, RFC 9110 §12.5.3): `gzip` or
/// `x-gzip` with a weight above 0, or `*` when gzip is not named; a weight of 0 (or one
/// that is not a number from 0 to 1) refuses; a client that weighs `identity` above gzip
/// gets the plain page. Names and `q` are case-insensitive.
pub fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    let Some(header) = accept_encoding else { return false };
    let (mut gzip, mut any, mut identity) = (None::<f32>, None::<f32>, None::<f32>);
    for item in header.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut q = 1.0;
        for p in parts {
            let (key, value) = p.split_once('=').unwrap_or((p, ""));
            if key.trim().eq_ignore_ascii_case("q") {
                q = value.trim().parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q)).unwrap_or(0.0);
            }
        }
        let slot = match name.as_str() {
            "gzip" | "x-gzip" => &mut gzip,
            "*" => &mut any,
            "identity" => &mut identity,
            _ => continue,
        };
        // Named twice: the lower weight (a refusal stays a refusal).
        *slot = Some(slot.map_or(q, |old: f32| old.min(q)));
    }
    let weight = gzip.or(any).unwrap_or(0.0);
    weight > 0.0 && identity.is_none_or(|i| i <= weight)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_taken_only_when_offered() {
        assert!(accepts_gzip(Some("gzip, deflate, br, zstd")));
        assert!(accepts_gzip(Some("br;q=1.0, GZIP;q=0.5")));
        assert!(accepts_gzip(Some("*")));
        assert!(!accepts_gzip(Some("gzip;q=0, br")));
        assert!(!accepts_gzip(Some("br, deflate")));
        assert!(!accepts_gzip(Some("identity")));
        assert!(!accepts_gzip(None));
        // Found from outside: an upper-case Q, x-gzip refused beside *, identity preferred,
        // and a weight that is not a number all mean no gzip.
        assert!(!accepts_gzip(Some("gzip;Q=0")));
        assert!(!accepts_gzip(Some("x-gzip;q=0, *")));
        assert!(!accepts_gzip(Some("identity;q=1, gzip;q=0.5")));
        assert!(!accepts_gzip(Some("gzip;q=-1")));
        assert!(!accepts_gzip(Some("gzip, gzip;q=0")));
        assert!(accepts_gzip(Some("x-gzip")));
        assert!(accepts_gzip(Some("gzip;q=0.001")));
        assert!(accepts_gzip(Some("identity;q=0.5, gzip")));
    }
}
