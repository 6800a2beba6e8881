//! QR codes for the print files: the symbol as runs of dark modules, with a
//! fast mask selection on top of the `qrcode` crate's encoder; its size on the
//! card, the standalone SVG, and drawing it on a card's back.

use std::fmt::Write as _;

use pdf_writer::Content;
use qrcode::canvas::{Canvas, MaskPattern, Module};
use qrcode::{Color, EcLevel, Version};

use super::layout::{MM, QR_BOX};
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

// ---------------------------------------------------------------------------
// The symbol on paper and on screen.

/// Lower bound on the symbol itself (without quiet zone); 20 mm is the
/// brief's minimum for reliable phone scanning, plus a little slack.
const QR_MIN_SYMBOL_MM: f32 = 20.5;
/// Quiet zone in modules, as required by ISO/IEC 18004.
const QUIET: usize = 4;

/// Module size in mm: fill the QR box, but never let the symbol itself drop
/// below the minimum (only tiny versions hit this, and then the white quiet
/// zone just spills a little outside the box).
fn module_mm(n: usize) -> f32 {
    (QR_BOX / MM / (n + 2 * QUIET) as f32).max(QR_MIN_SYMBOL_MM / n as f32)
}

/// Standalone SVG of the QR code for `url`, sized in mm like the printed one.
pub fn qr_svg(url: &str) -> Result<String, PrintError> {
    let qr = QrEncoder::default().encode(url)?;
    let total = qr.n + 2 * QUIET;
    let size = module_mm(qr.n) * total as f32;
    let mut d = String::with_capacity(qr.runs.len() * 16);
    for &(x, y, len) in &qr.runs {
        let (x, y) = (usize::from(x) + QUIET, usize::from(y) + QUIET);
        let _ = write!(d, "M{x} {y}h{len}v1h-{len}z");
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size:.1}mm\" height=\"{size:.1}mm\" \
         viewBox=\"0 0 {total} {total}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{total}\" height=\"{total}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{d}\"/></svg>"
    ))
}

/// Draws the symbol centred in the QR box whose lower-left corner is (x, y).
pub(super) fn draw_qr(c: &mut Content, qr: &QrRuns, x: f32, y: f32) {
    let m = module_mm(qr.n) * MM;
    let size = m * (qr.n + 2 * QUIET) as f32;
    let off = (QR_BOX - size) / 2.0;
    c.save_state();
    // Scale to module units and flip y, so every rectangle is given in small
    // integers exactly as the QR matrix is stored (compact, compresses well).
    c.transform([m, 0.0, 0.0, -m, x + off, y + off + size]);
    for &(rx, ry, len) in &qr.runs {
        c.rect(f32::from(rx) + QUIET as f32, f32::from(ry) + QUIET as f32, f32::from(len), 1.0);
    }
    // One fill for the whole symbol: the rasteriser sees a single shape, so
    // there are no anti-aliasing seams between adjacent rows.
    c.fill_nonzero();
    c.restore_state();
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

    #[test]
    fn qr_svg_is_one_path_with_quiet_zone_viewbox() {
        let url = "https://panel.example.police.uk/j/ABCD23456";
        // Same version as qrcode's own encoder would pick.
        let n = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M).unwrap().width();
        assert_eq!(QrEncoder::default().encode(url).unwrap().n, n);
        assert!((25..=33).contains(&n), "unexpected version: {n} modules");
        let svg = qr_svg(url).unwrap();
        assert!(svg.contains(&format!("viewBox=\"0 0 {0} {0}\"", n + 8)), "{svg}");
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(svg.contains(r##"fill="#fff""##) && !svg.contains("<rect x="));
        assert!(svg.contains("mm\" height=\""));
        // Merged runs: fewer subpaths than dark modules, yet together they
        // cover exactly the dark modules (each run is `h{len}v1h-{len}z`).
        let dark = QrEncoder::default().modules(url).unwrap().1.iter().filter(|&&d| d).count();
        let d = svg.split(" d=\"").nth(1).unwrap();
        let covered: usize =
            d.split('h').skip(1).step_by(2).map(|s| s.split('v').next().unwrap().parse::<usize>().unwrap()).sum();
        assert_eq!(covered, dark);
        assert!(svg.matches('M').count() < dark * 3 / 4);
    }

    #[test]
    fn qr_symbol_is_at_least_20mm_for_every_version() {
        for version in 1..=10 {
            let n = 17 + 4 * version;
            assert!(module_mm(n) * n as f32 >= 20.0, "version {version}");
        }
    }
}
