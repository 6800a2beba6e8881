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
}
