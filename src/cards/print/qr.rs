//! QR encoding for `print.rs`: the symbol as runs of dark modules, with a
//! fast mask selection on top of the `qrcode` crate's encoder.

use qrcode::canvas::{Canvas, MaskPattern, Module};
use qrcode::{Color, EcLevel, Version};

use super::PrintError;

/// A QR symbol reduced to what we draw: horizontal runs of dark modules.
/// One rectangle per run instead of per module keeps a page of ten codes
/// several times smaller.
pub(crate) struct QrRuns {
    /// Symbol width in modules, without quiet zone.
    pub n: usize,
    /// (column, row from top, length), without quiet-zone offset.
    pub runs: Vec<(u16, u16, u16)>,
}

impl QrRuns {
    fn new(n: usize, dark: &[bool]) -> QrRuns {
        let mut runs = Vec::new();
        for (y, row) in dark.chunks(n).enumerate() {
            let mut x = 0;
            while x < n {
                if row[x] {
                    let start = x;
                    while x < n && row[x] {
                        x += 1;
                    }
                    runs.push((start as u16, y as u16, (x - start) as u16));
                } else {
                    x += 1;
                }
            }
        }
        QrRuns { n, runs }
    }
}

/// Error correction M, deliberately: cards live in wallets and pockets and
/// get scuffed, and M restores ~15 % damaged codewords while keeping a
/// ~45-byte URL at version 3–4 (29–33 modules), so each module is ~0.65 mm in
/// a ~21 mm symbol. Q or H would push the version up and shrink the modules,
/// which hurts cheap phone cameras more than the extra redundancy helps.
const QR_EC: EcLevel = EcLevel::M;

/// The eight QR mask patterns, in the order qrcode tries them.
const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// QR encoder for a batch. qrcode still picks the version and segments and
/// builds the codewords and canvas, but the mask choice is done here:
/// qrcode's `apply_best_mask` masks and scores the whole canvas eight times
/// with a boxed closure per module, ~0.4 ms a symbol, i.e. 4 s for 10,000
/// cards. (Our scoring follows ISO/IEC 18004 to the letter, so for a few
/// symbols it may pick a different, equally valid mask than qrcode would.)
///
/// Masking only flips data modules, and everything else (finder patterns,
/// timing, format info for a given mask at level M) is the same for every
/// symbol of a version. So per version we let qrcode mask an empty canvas once
/// per pattern ("templates"); a symbol masked with pattern p is then just
/// `template[p] XOR (data module is dark)`.
#[derive(Default)]
pub(crate) struct QrEncoder {
    templates: Vec<(Version, Vec<Vec<bool>>)>,
}

impl QrEncoder {
    pub(crate) fn encode(&mut self, url: &str) -> Result<QrRuns, PrintError> {
        let (n, modules) = self.modules(url)?;
        Ok(QrRuns::new(n, &modules))
    }

    /// Symbol width and modules (row-major, `true` = dark) with the mask of
    /// lowest penalty applied.
    pub(crate) fn modules(&mut self, url: &str) -> Result<(usize, Vec<bool>), PrintError> {
        let (version, data_dark) = unmasked(url)?;
        let n = data_dark.len().isqrt();
        let mut best = (u32::MAX, Vec::new());
        let mut candidate = vec![false; n * n];
        for template in self.templates(version) {
            for ((c, &t), &d) in candidate.iter_mut().zip(template).zip(&data_dark) {
                *c = t ^ d;
            }
            let penalty = mask_penalty(&candidate, n);
            if penalty < best.0 {
                best = (penalty, candidate.clone());
            }
        }
        Ok((n, best.1))
    }

    fn templates(&mut self, version: Version) -> &[Vec<bool>] {
        let i = match self.templates.iter().position(|(v, _)| *v == version) {
            Some(i) => i,
            None => {
                let mut empty = Canvas::new(version, QR_EC);
                empty.draw_all_functional_patterns();
                let masked = MASKS.iter().map(|&mask| {
                    let mut c = empty.clone();
                    c.apply_mask(mask); // also draws the format information
                    c.into_colors().into_iter().map(|c| c == Color::Dark).collect()
                });
                self.templates.push((version, masked.collect()));
                self.templates.len() - 1
            }
        };
        &self.templates[i].1
    }
}

/// Fails if `url` cannot be a QR code at all (too long). Cheap (~1 µs), so a
/// whole batch can be checked before any output is written.
pub(crate) fn check(url: &str) -> Result<(), PrintError> {
    qrcode::bits::encode_auto(url.as_bytes(), QR_EC).map(drop).map_err(|e| qr_error(url, e))
}

fn qr_error(url: &str, e: qrcode::types::QrError) -> PrintError {
    PrintError::Qr(format!("{e} (url {url:?})"))
}

/// Encodes `url` up to (not including) masking. Returns the version and, per
/// module (row-major, top row first), whether it is a dark data module.
fn unmasked(url: &str) -> Result<(Version, Vec<bool>), PrintError> {
    let err = |e| qr_error(url, e);
    let bits = qrcode::bits::encode_auto(url.as_bytes(), QR_EC).map_err(err)?;
    let version = bits.version();
    let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, QR_EC).map_err(err)?;
    let mut canvas = Canvas::new(version, QR_EC);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    let n = version.width();
    let dark = (0..n).flat_map(|y| (0..n).map(move |x| (x, y)));
    Ok((version, dark.map(|(x, y)| canvas.get(x, y) == Module::Unmasked(Color::Dark)).collect()))
}

/// ISO/IEC 18004 mask penalty (rules N1–N4) of an n×n module matrix. Lower is
/// better: it penalises long runs, solid blocks, finder look-alikes and
/// unbalanced dark/light, all of which make a code harder to scan.
fn mask_penalty(m: &[bool], n: usize) -> u32 {
    // Columns are scored as rows of the transpose, so both use fast slices.
    let mut t = vec![false; n * n];
    for (y, row) in m.chunks(n).enumerate() {
        for (x, &d) in row.iter().enumerate() {
            t[x * n + y] = d;
        }
    }
    let mut score: u32 = m.chunks(n).chain(t.chunks(n)).map(line_penalty).sum();
    // N2: 3 points per 2×2 block of one colour (overlapping blocks count).
    for (a, b) in m.chunks(n).zip(m.chunks(n).skip(1)) {
        for x in 0..n - 1 {
            let c = a[x];
            score += 3 * u32::from((a[x + 1] == c) & (b[x] == c) & (b[x + 1] == c));
        }
    }
    // N4: 10 points per 5 % the dark proportion strays from 50 %.
    let dark = m.iter().filter(|&&d| d).count();
    score + ((dark * 100 / (n * n)).abs_diff(50) / 5 * 10) as u32
}

/// Rules N1 and N3 along one row or column. Written without data-dependent
/// branches: module colours are effectively random, so branchy code spends
/// most of its time on mispredictions (this runs 8 × 2n times per symbol).
fn line_penalty(line: &[bool]) -> u32 {
    let mut score = 0;
    // N1: 3 points for a run of 5 same-colour modules, +1 per extra module.
    let mut run = 1u32;
    for pair in line.windows(2) {
        let same = u32::from(pair[0] == pair[1]);
        score += (1 - same) * u32::from(run >= 5) * run.saturating_sub(2);
        run = run * same + 1;
    }
    score += u32::from(run >= 5) * run.saturating_sub(2);
    // N3: 40 points per dark-light-dark×3-light-dark preceded or followed by
    // 4 light modules. A 15-module window slides over the line padded with 4
    // light modules each side (beyond the edge is quiet zone).
    let mut window = 0u32;
    for &dark in line.iter().chain(&[false; 4]) {
        window = ((window << 1) | u32::from(dark)) & 0x7FFF;
        let core = (window >> 4) & 0x7F == 0b101_1101;
        let light_side = (window >> 11 == 0) | (window & 0xF == 0);
        score += 40 * u32::from(core & light_side);
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_masking_matches_qrcode() {
        let mut enc = QrEncoder::default();
        for url in [
            "https://a.uk/j/X",
            "https://panel.example.police.uk/j/ABCD23456",
            &format!("https://x.example/j/{}", "Q".repeat(120)),
        ] {
            let (version, data_dark) = unmasked(url).unwrap();
            // What qrcode itself produces for each mask.
            let bits = qrcode::bits::encode_auto(url.as_bytes(), QR_EC).unwrap();
            let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, QR_EC).unwrap();
            let mut canvas = Canvas::new(version, QR_EC);
            canvas.draw_all_functional_patterns();
            canvas.draw_data(&data, &ec);
            for (mask, template) in MASKS.iter().zip(enc.templates(version).to_vec()) {
                let mut c = canvas.clone();
                c.apply_mask(*mask);
                let expected: Vec<bool> = c.into_colors().into_iter().map(|c| c == Color::Dark).collect();
                let ours: Vec<bool> = template.iter().zip(&data_dark).map(|(t, d)| t ^ d).collect();
                assert!(ours == expected, "{url} {mask:?}");
            }
            // The chosen symbol is one of those, with the lowest penalty.
            let (n, best) = enc.modules(url).unwrap();
            let min = enc
                .templates(version)
                .iter()
                .map(|t| mask_penalty(&t.iter().zip(&data_dark).map(|(t, d)| t ^ d).collect::<Vec<_>>(), n))
                .min();
            assert_eq!(Some(mask_penalty(&best, n)), min);
        }
    }

    #[test]
    fn too_long_url_is_rejected() {
        let url = format!("https://x.example/j/{}", "a".repeat(3000));
        assert!(matches!(check(&url), Err(PrintError::Qr(_))));
        assert!(check("https://panel.example.police.uk/j/ABCD23456").is_ok());
    }

    #[test]
    fn mask_penalty_follows_iso_rules() {
        // 5×5 all light: N1 10 lines × 3, N2 16 blocks × 3, N4 100 % off → 100.
        assert_eq!(mask_penalty(&[false; 25], 5), 30 + 48 + 100);
        // 11×11, light except a finder look-alike `#.###.#` at the start of
        // row 0. N1: rows 1–10 9 each (90), columns 94; N2: 93 blocks;
        // N3: one match (40); N4: 5/121 dark → 4 % → 90.
        let mut m = [false; 121];
        for (x, d) in [true, false, true, true, true, false, true].into_iter().enumerate() {
            m[x] = d;
        }
        assert_eq!(mask_penalty(&m, 11), 184 + 279 + 40 + 90);
    }
}
