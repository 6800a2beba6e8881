//! The card landing page, gzipped without compressing anything per request. The page is
//! the same for every card but for the card code, so each language's document is cut
//! where the code goes and each piece is compressed once, at start, as raw deflate
//! ending on a byte boundary (a sync flush). A response is the gzip header, the pieces
//! with the code between them as a tiny stored block, an empty final block, and the CRC
//! and length of the whole page (RFC 1951, RFC 1952). Phones always ask for gzip, and
//! compressing 8 KB for every scan cost nine tenths of the throughput.
use flate2::{Compress, Compression, FlushCompress};

/// One language's landing page: its text cut at the code, and each piece compressed.
pub struct Pieces {
    pub text: Vec<String>,
    deflated: Vec<Vec<u8>>,
}

impl Pieces {
    pub fn new(text: Vec<String>) -> Pieces {
        let deflated = text.iter().map(|piece| deflate_piece(piece.as_bytes())).collect();
        Pieces { text, deflated }
    }

    /// The page with `code` in each gap, as plain HTML.
    pub fn plain(&self, code: &str) -> String {
        self.text.join(code)
    }

    /// The same page as a gzip file.
    pub fn gzip(&self, code: &str) -> Vec<u8> {
        let gaps = self.text.len().saturating_sub(1);
        let size = self.deflated.iter().map(Vec::len).sum::<usize>() + gaps * (code.len() + 5) + 20;
        let mut out = Vec::with_capacity(size);
        // Header: magic, deflate, no flags, no time, no extra flags, OS unknown.
        out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
        let mut crc = crc32fast::Hasher::new();
        let mut length: u32 = 0;
        for (i, (piece, deflated)) in self.text.iter().zip(&self.deflated).enumerate() {
            out.extend_from_slice(deflated);
            crc.update(piece.as_bytes());
            length = length.wrapping_add(piece.len() as u32);
            if i < gaps {
                stored_block(&mut out, code.as_bytes());
                crc.update(code.as_bytes());
                length = length.wrapping_add(code.len() as u32);
            }
        }
        // An empty final block with fixed codes: BFINAL=1, BTYPE=01, end of block.
        out.extend_from_slice(&[0x03, 0x00]);
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        out.extend_from_slice(&length.to_le_bytes());
        out
    }
}

/// Raw deflate of one piece, not final, ending byte-aligned (sync flush), so pieces and
/// stored blocks can follow each other.
fn deflate_piece(piece: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(Compression::best(), false);
    let mut out = Vec::with_capacity(piece.len() / 2 + 64);
    loop {
        let consumed = c.total_in() as usize;
        out.reserve(1024);
        c.compress_vec(&piece[consumed..], &mut out, FlushCompress::Sync).expect("deflate into a growing buffer");
        if c.total_in() as usize == piece.len() && out.ends_with(&[0, 0, 0xff, 0xff]) {
            return out;
        }
    }
}

/// A stored (uncompressed) block holding `bytes` (under 64 KB), not final.
fn stored_block(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = bytes.len() as u16;
    out.push(0x00);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(bytes);
}

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

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn gunzip(bytes: &[u8]) -> String {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes).read_to_string(&mut text).expect("a valid gzip file");
        text
    }

    #[test]
    fn the_pieces_and_the_code_make_one_valid_gzip_file() {
        let big = "<p>Stopped and searched? Join the panel.</p>".repeat(300);
        for text in [
            vec!["<html>".to_string(), big.clone(), "</html>".to_string()],
            vec![String::new(), String::new()],
            vec![big.clone()],
            vec!["a".into(), "é – ش".into(), "".into(), "z".into()],
        ] {
            let pieces = Pieces::new(text);
            for code in ["ABCDEFGHJ", "", "Q"] {
                let gz = pieces.gzip(code);
                assert_eq!(gunzip(&gz), pieces.plain(code), "code {code:?}");
            }
        }
        let pieces = Pieces::new(vec!["<a href=\"/j/".into(), format!("/join\">{big}</a>")]);
        let gz = pieces.gzip("ABCDEFGHJ");
        assert!(gz.len() < big.len() / 10, "compressed: {} bytes for {}", gz.len(), big.len());
    }

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
