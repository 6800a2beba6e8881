//! The print file itself, streamed to the output page by page (`PdfStream` writes
//! each object as it is made, and the xref table at the end): fixed object ids, the
//! embedded font objects, and [`write_pdf`], which places the cards on the pages.

use std::fmt::Write as _;
use std::io::{self, Write};

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::writers::{Catalog, DocumentInfo, Resources};
use pdf_writer::{Chunk, Content, Filter, Name, Rect, Ref, Str, TextStr};

use super::draw::{back_template, draw_back, draw_front, front_content};
use super::fonts::{FaceId, Used};
use super::layout::{a4_slot_origin, crop_marks, mirrored_slot, BACK_TEXT_X, CARD_H, CARD_W, MARGIN, PER_SHEET};
use super::qr::{self, QrEncoder, QrRuns};
use super::{CardText, Layout, PrintCard, PrintError};

/// Fixed object ids; page `i` is `FIRST_PAGE + 2i`, its content stream the
/// id after it, so every reference is known before anything is written.
const CATALOG: Ref = Ref::new(1);
const PAGES: Ref = Ref::new(2);
/// Each embedded face takes five objects: the Type0 font, its CID font, font
/// descriptor, ToUnicode map and font file.
const FONT_BASE: i32 = 3;
const FONT_OBJECTS: i32 = 5;
const FRONT_FORM: Ref = Ref::new(FONT_BASE + 4 * FONT_OBJECTS);
const BACK_FORM: Ref = Ref::new(FRONT_FORM.get() + 1);
const PAGE_RESOURCES: Ref = Ref::new(FRONT_FORM.get() + 2);
const INFO: Ref = Ref::new(FRONT_FORM.get() + 3);
const FIRST_PAGE: i32 = FRONT_FORM.get() + 4;

/// The objects of face `face`: Type0 font, CID font, descriptor, ToUnicode, file.
fn font_refs(face: FaceId) -> [Ref; 5] {
    let i = FaceId::ALL.iter().position(|&f| f == face).expect("known face") as i32;
    let base = FONT_BASE + i * FONT_OBJECTS;
    [0, 1, 2, 3, 4].map(|k| Ref::new(base + k))
}

fn page_ref(i: usize) -> Ref {
    Ref::new(FIRST_PAGE + 2 * i as i32)
}

/// Level 1: content streams are small and repetitive, so the fastest level
/// already gets most of the gain; higher levels cost time on 10,000 cards.
fn deflate(data: &[u8]) -> Vec<u8> {
    compress_to_vec_zlib(data, 1)
}

fn font_resources(mut res: Resources<'_>) {
    let mut fonts = res.fonts();
    for face in FaceId::ALL {
        fonts.pair(Name(face.resource_name()), font_refs(face)[0]);
    }
}

/// Writes one face as a Type0 font with an embedded TrueType subset (CIDFontType2,
/// Identity-H: a glyph's two-byte code is its number in the subset) and a ToUnicode
/// map, so copied or extracted text reads as written.
fn write_font<W: Write>(pdf: &mut PdfStream<W>, face: FaceId, used: &Used) -> Result<(), PrintError> {
    let [type0, cid, descriptor, to_unicode, file] = font_refs(face);
    let data = used.font(face).map_err(PrintError::Font)?;
    let name = Name(face.subset_name());
    let system_info = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
    pdf.object(type0, |c| {
        c.type0_font(type0)
            .base_font(name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(to_unicode);
    })?;
    pdf.object(cid, |c| {
        let mut font = c.cid_font(cid);
        font.subtype(CidFontType::Type2)
            .base_font(name)
            .system_info(system_info)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        font.widths().consecutive(0, data.widths.iter().copied());
    })?;
    pdf.object(descriptor, |c| {
        let [x0, y0, x1, y1] = data.bbox;
        c.font_descriptor(descriptor)
            .name(name)
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(x0, y0, x1, y1))
            .italic_angle(0.0)
            .ascent(data.ascent)
            .descent(data.descent)
            .cap_height(data.cap_height)
            .stem_v(if matches!(face, FaceId::SansBold | FaceId::ArabicBold) { 140.0 } else { 80.0 })
            .font_file2(file);
    })?;
    let mut cmap =
        UnicodeCmap::new(Name(b"Custom"), SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"UCS"), supplement: 0 });
    for (cid, text) in &data.unicode {
        cmap.pair_with_multiple(*cid, text.chars());
    }
    let cmap = cmap.finish();
    pdf.object(to_unicode, |c| {
        c.cmap(to_unicode, &cmap);
    })?;
    let compressed = deflate(&data.data);
    pdf.object(file, |c| {
        c.stream(file, &compressed).filter(Filter::FlateDecode).pair(Name(b"Length1"), data.data.len() as i32);
    })?;
    Ok(())
}

/// Streams indirect objects to the output as they are produced. pdf-writer's
/// `Pdf` holds the whole file in memory until `finish()` and its `Chunk` does
/// not expose object offsets, so we write each object through its own
/// `Chunk`, note where it starts, and emit the header, xref table and trailer
/// ourselves. Memory is one page plus 8 bytes per object.
struct PdfStream<W: Write> {
    out: W,
    buf: Vec<u8>,
    pos: u64,
    /// Byte offset of each object, indexed by id (index 0 unused).
    offsets: Vec<u64>,
}

impl<W: Write> PdfStream<W> {
    const FLUSH_AT: usize = 256 * 1024;

    fn new(out: W, objects: usize) -> io::Result<Self> {
        let mut s =
            PdfStream { out, buf: Vec::with_capacity(Self::FLUSH_AT * 2), pos: 0, offsets: vec![0; objects + 1] };
        // The binary comment tells transfer tools the file is not text.
        s.emit(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")?;
        Ok(s)
    }

    /// `f` must write exactly one indirect object, with id `id`.
    fn object(&mut self, id: Ref, f: impl FnOnce(&mut Chunk)) -> io::Result<()> {
        let mut chunk = Chunk::new();
        f(&mut chunk);
        self.offsets[id.get() as usize] = self.pos;
        self.emit(chunk.as_bytes())
    }

    fn stream(&mut self, id: Ref, content: &[u8]) -> io::Result<()> {
        self.object(id, |c| {
            c.stream(id, content).filter(Filter::FlateDecode);
        })
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(bytes);
        self.pos += bytes.len() as u64;
        if self.buf.len() >= Self::FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        debug_assert!(self.offsets[1..].iter().all(|&o| o > 0), "object id allocated but never written");
        let xref_at = self.pos;
        let mut xref = String::with_capacity(20 * self.offsets.len() + 100);
        let _ = write!(xref, "xref\n0 {}\n0000000000 65535 f\r\n", self.offsets.len());
        for off in &self.offsets[1..] {
            let _ = write!(xref, "{off:010} 00000 n\r\n");
        }
        let _ = write!(
            xref,
            "trailer\n<< /Size {} /Root {} 0 R /Info {} 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            self.offsets.len(),
            CATALOG.get(),
            INFO.get()
        );
        self.emit(xref.as_bytes())?;
        self.out.write_all(&self.buf)?;
        self.out.flush()
    }
}

/// Writes the whole print file for `cards` to `out`, page by page (output is
/// buffered internally in 256 KB blocks, so `out` needn't be a `BufWriter`).
///
/// Every URL is checked before anything is written, so a `Qr` or `NoCards`
/// error leaves `out` untouched; after an `Io` error the output is partial
/// and must be discarded.
pub fn write_pdf<W: Write>(out: W, layout: Layout, text: &CardText, cards: &[PrintCard]) -> Result<(), PrintError> {
    if cards.is_empty() || text.languages.is_empty() {
        return Err(PrintError::NoCards);
    }
    for card in cards {
        qr::check(&card.url)?;
    }
    let (page_w, page_h) = layout.page_size();
    let pages = layout.page_count(cards.len());
    let mut pdf = PdfStream::new(out, FIRST_PAGE as usize - 1 + 2 * pages)?;

    let mut used = Used::new();
    let front = front_content(text, &mut used);
    let (back, template_h) = back_template(text, &mut used);
    let code_label = text.labels(|l| &l.code, CARD_W - MARGIN - BACK_TEXT_X);
    for (id, content) in [(FRONT_FORM, front), (BACK_FORM, back)] {
        let data = deflate(&content);
        pdf.object(id, |c| {
            let mut form = c.form_xobject(id, &data);
            form.filter(Filter::FlateDecode);
            form.bbox(Rect::new(0.0, 0.0, CARD_W, CARD_H));
            font_resources(form.resources());
        })?;
    }
    pdf.object(PAGE_RESOURCES, |c| {
        let mut res = c.indirect(PAGE_RESOURCES).start::<Resources>();
        res.x_objects().pair(Name(b"Fr"), FRONT_FORM).pair(Name(b"Bk"), BACK_FORM);
        font_resources(res);
    })?;
    pdf.object(INFO, |c| {
        c.indirect(INFO).start::<DocumentInfo>().title(TextStr("Stop and search cards")).creator(TextStr("scrutiny"));
    })?;

    // QR codes are most of the work: a second thread encodes them, in card order,
    // a little ahead of the pages that draw them.
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<QrRuns, PrintError>>(64);
        scope.spawn(move || {
            let mut encoder = QrEncoder::default();
            for card in cards {
                if tx.send(encoder.encode(&card.url)).is_err() {
                    break;
                }
            }
        });
        let next_qr = || rx.recv().map_err(|_| PrintError::Qr("encoder stopped".into()))?;
        let mut page_no = 0;
        let mut page = |pdf: &mut PdfStream<W>, content: &[u8]| -> io::Result<()> {
            let id = page_ref(page_no);
            let content_id = Ref::new(id.get() + 1);
            page_no += 1;
            pdf.object(id, |c| {
                let mut p = c.page(id);
                p.parent(PAGES).media_box(Rect::new(0.0, 0.0, page_w, page_h)).contents(content_id);
                p.pair(Name(b"Resources"), PAGE_RESOURCES);
            })?;
            pdf.stream(content_id, content)
        };

        match layout {
            Layout::A4 => {
                // Every full sheet has the same front page: build it once.
                let front_page = |n: usize| {
                    let mut c = Content::new();
                    crop_marks(&mut c);
                    (0..n).for_each(|slot| {
                        let (x, y) = a4_slot_origin(slot);
                        draw_front(&mut c, x, y);
                    });
                    deflate(&c.finish())
                };
                let full_front = front_page(PER_SHEET);
                for sheet in cards.chunks(PER_SHEET) {
                    if sheet.len() == PER_SHEET {
                        page(&mut pdf, &full_front)?;
                    } else {
                        page(&mut pdf, &front_page(sheet.len()))?;
                    }
                    let mut c = Content::new();
                    crop_marks(&mut c);
                    for (slot, card) in sheet.iter().enumerate() {
                        let (x, y) = a4_slot_origin(mirrored_slot(slot));
                        draw_back(&mut c, &mut used, next_qr()?, card, &code_label, template_h, x, y)?;
                    }
                    page(&mut pdf, &deflate(&c.finish()))?;
                }
            }
            Layout::Cr80 => {
                let mut c = Content::new();
                draw_front(&mut c, 0.0, 0.0);
                let front = deflate(&c.finish());
                for card in cards {
                    page(&mut pdf, &front)?;
                    let mut c = Content::new();
                    draw_back(&mut c, &mut used, next_qr()?, card, &code_label, template_h, 0.0, 0.0)?;
                    page(&mut pdf, &deflate(&c.finish()))?;
                }
            }
        }

        // The fonts go after the pages: only now is every glyph the file uses known.
        for face in FaceId::ALL {
            write_font(&mut pdf, face, &used)?;
        }
        // The page tree goes last, once every page has been written: its Kids
        // array is the only thing that grows with the batch (~10 bytes a page).
        pdf.object(PAGES, |c| {
            c.pages(PAGES).kids((0..pages).map(page_ref)).count(pages as i32);
        })?;
        pdf.object(CATALOG, |c| {
            c.indirect(CATALOG).start::<Catalog>().pages(PAGES);
        })?;
        pdf.finish()?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::cards;
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn xref_offsets_point_at_objects() {
        let mut pdf = Vec::new();
        write_pdf(&mut pdf, Layout::A4, &CardText::default_for("Test Police", &[Lang::En]), &cards(12)).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.4\n") && pdf.ends_with(b"%%EOF\n"));
        // The tail (xref + trailer) is ASCII; the body may hold binary streams.
        let tail = String::from_utf8_lossy(&pdf[pdf.len() - 40..]).into_owned();
        let startxref: usize = tail.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        let xref = std::str::from_utf8(&pdf[startxref..]).unwrap();
        assert!(xref.starts_with("xref\n0 "));
        let entries: Vec<usize> =
            xref.lines().skip(3).take_while(|l| l.ends_with(" n")).map(|l| l[..10].parse().unwrap()).collect();
        assert_eq!(entries.len(), FIRST_PAGE as usize - 1 + 2 * 4); // 4 pages, each page + content
        for (i, off) in entries.iter().enumerate() {
            assert!(pdf[*off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()), "object {}", i + 1);
        }
    }

    #[test]
    fn bad_url_fails_before_writing() {
        let mut batch = cards(3);
        batch[2].url = format!("https://x.example/j/{}", "a".repeat(3000));
        let mut out = Vec::new();
        let err = write_pdf(&mut out, Layout::A4, &CardText::default_for("X", &[Lang::En]), &batch);
        assert!(matches!(err, Err(PrintError::Qr(_))));
        assert!(out.is_empty());
    }

    #[test]
    fn empty_batch_is_an_error() {
        let err = write_pdf(Vec::new(), Layout::Cr80, &CardText::default_for("X", &[Lang::En]), &[]).unwrap_err();
        assert!(matches!(err, PrintError::NoCards));
    }
}
