// PDF rendering with cairo (PDF surface) + FreeType (DejaVu Sans) + libqrencode.
//
// Why cairo and not libharu (the TOOLCHAIN suggestion), measured on Debian 12 (libhpdf 2.3.0,
// cairo 1.16.0, poppler-utils 22.12):
// - libharu 2.3.0 with HPDF_UseUTFEncodings + the "UTF-8" encoder + an embedded TrueType font does
//   draw Vietnamese, but the object it links as /ToUnicode is its *encoding* CMap (CMapType 1,
//   `<0000> <FFFF> 0 begincidrange`), not a ToUnicode map. Poppler rejects it ("Syntax Warning:
//   Invalid 'begincidrange' operator in ToUnicode CMap", printed on every pdftotext run) and only
//   gets the right text through its fallback (codes happen to be Unicode values, plus the embedded
//   font's cmap); other extractors have no reason to. Its "subset" keeps the full hmtx/loca/post/
//   name tables and writes a 128 KB CIDToGIDMap: 175 KB for three lines in regular + bold, and
//   ~25 ms per document (it parses the whole .ttf for every document).
// - cairo writes a real ToUnicode CMap (from the UTF-8 given to cairo_show_text), subsets the
//   fonts properly and compresses: the same three lines in regular + bold are 25 KB, ~2 ms per
//   document, and `pdftotext` prints the exact NFC text with no warnings. It is maintained and in
//   Debian main; its PDF surface is thread-safe with shared font faces.
// - A hand-written PDF writer (CIDFontType2/Identity-H, own ToUnicode, own TrueType subsetter)
//   would work too, but is more code to own (subsetting is the hard part) for nothing cairo lacks.
// Vietnamese needs no shaping (NFC text is one code point per glyph in DejaVu Sans), so cairo's
// "toy" text API, which maps characters through the font's cmap, is enough; no pango/harfbuzz.
//
// Layout is done first (lines wrapped and placed on physical pages, measured with the same cairo
// context and font options used for drawing), then drawn page by page.
#include "platform/pdf/pdf.hpp"

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <qrencode.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "platform/util/text.hpp"

namespace lt::pdf {
namespace {

constexpr const char* kRegularFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr const char* kBoldFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

constexpr double kMm = 72.0 / 25.4;
constexpr double kPageW = 210 * kMm, kPageH = 297 * kMm;
constexpr double kLeft = 30 * kMm, kRight = 15 * kMm, kTop = 20 * kMm, kBottom = 20 * kMm;
constexpr double kTextW = kPageW - kLeft - kRight;
constexpr double kLineHeight = 1.4;   // times the font size
constexpr double kBaseline = 1.1;     // baseline below the top of the line box, times the size
constexpr double kQrSide = 35 * kMm;  // the symbol without its quiet zone
constexpr int kQrQuiet = 4;           // modules
constexpr double kCaptionSize = 8;
constexpr double kCaptionLineHeight = 1.3;
constexpr double kQrGap = 3 * kMm;    // between the text and the QR block
constexpr double kMinSize = 4, kMaxSize = 96;
constexpr size_t kMaxPages = 100;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("pdf: " + what); }

// The two font faces, loaded once per process and never released: cairo's own font caches keep
// references to them until exit. Cairo serialises its use of each FT_Face internally.
struct Fonts {
  cairo_font_face_t* regular = nullptr;
  cairo_font_face_t* bold = nullptr;
};

cairo_font_face_t* load_face(FT_Library lib, const char* path) {
  FT_Face face = nullptr;
  if (FT_New_Face(lib, path, 0, &face) != 0) fail(std::string("cannot load font ") + path);
  cairo_font_face_t* ff = cairo_ft_font_face_create_for_ft_face(face, 0);
  if (cairo_font_face_status(ff) != CAIRO_STATUS_SUCCESS) {
    cairo_font_face_destroy(ff);
    FT_Done_Face(face);
    fail(std::string("cannot use font ") + path);
  }
  return ff;
}

const Fonts& fonts() {
  // A throwing initialiser is retried by the next call (e.g. after the font package is installed).
  static const Fonts f = [] {
    FT_Library lib = nullptr;
    if (FT_Init_FreeType(&lib) != 0) fail("cannot initialise FreeType");
    Fonts r;
    try {
      r.regular = load_face(lib, kRegularFont);
      r.bold = load_face(lib, kBoldFont);
    } catch (...) {
      if (r.regular) cairo_font_face_destroy(r.regular);
      FT_Done_FreeType(lib);  // faces not handed to cairo are released with the library
      throw;
    }
    return r;
  }();
  return f;
}

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
struct QrDeleter {
  void operator()(QRcode* q) const { QRcode_free(q); }
};

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) noexcept {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  } catch (...) {
    return CAIRO_STATUS_WRITE_ERROR;
  }
}

// NFC, with '\t' as a space, '\r' and other control characters (C0, DEL, C1) dropped ('\n' kept).
std::string clean(std::string_view s) {
  if (!lt::text::valid_utf8(s)) fail("text is not valid UTF-8");
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const auto u = static_cast<unsigned char>(c);
    if (c == '\t') {
      out += ' ';
    } else if (u == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      ++i;  // U+0080..U+009F (valid UTF-8: the next byte is a continuation byte >= 0x80)
    } else if (c == '\n' || (u >= 0x20 && u != 0x7f)) {
      out += c;
    }
  }
  return lt::text::nfc(out);
}

// Length of the UTF-8 sequence starting with `lead` (input is valid UTF-8).
size_t seq_len(unsigned char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

bool is_combining_at(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  size_t n = seq_len(b(i));
  if (i + n > s.size()) return false;
  char32_t cp;
  if (n == 2)
    cp = ((b(i) & 0x1Fu) << 6) | (b(i + 1) & 0x3Fu);
  else if (n == 3)
    cp = ((b(i) & 0x0Fu) << 12) | ((b(i + 1) & 0x3Fu) << 6) | (b(i + 2) & 0x3Fu);
  else
    return false;
  return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
         (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F);
}

// End of the character (code point plus any combining marks) that starts at `i`.
size_t next_cluster(std::string_view s, size_t i) {
  i += seq_len(static_cast<unsigned char>(s[i]));
  while (i < s.size() && is_combining_at(s, i)) i += seq_len(static_cast<unsigned char>(s[i]));
  return std::min(i, s.size());
}

class Measurer {
 public:
  explicit Measurer(cairo_t* cr) : cr_(cr) {}
  void use(double size, bool bold) const {
    cairo_set_font_face(cr_, bold ? fonts().bold : fonts().regular);
    cairo_set_font_size(cr_, size);
  }
  double width(const std::string& s) const {
    cairo_text_extents_t e;
    cairo_text_extents(cr_, s.c_str(), &e);
    return e.x_advance;
  }

 private:
  cairo_t* cr_;
};

// Greedy word wrap of one hard line (no '\n') into lines no wider than `max_w`. Spaces between
// words on a line are kept as written, a line's leading spaces (indent) stay on its first line,
// and the spaces at a break are dropped. A word wider than a line is broken between characters.
std::vector<std::string> wrap(const std::string& text, double max_w, const Measurer& m) {
  std::vector<std::string> out;
  size_t i = text.find_first_not_of(' ');
  if (i == std::string::npos) return {""};
  std::string cur = text.substr(0, i);
  if (m.width(cur) > max_w / 2) cur.clear();  // an absurd indent is dropped
  bool has_word = false;
  std::string sep;
  while (i < text.size()) {
    size_t e = std::min(text.find(' ', i), text.size());
    std::string word = text.substr(i, e - i);
    size_t k = std::min(text.find_first_not_of(' ', e), text.size());
    if (has_word && m.width(cur + sep + word) > max_w) {
      out.push_back(std::move(cur));
      cur.clear();
      has_word = false;
    }
    if (has_word) {
      cur += sep;
      cur += word;
    } else if (m.width(cur + word) <= max_w) {
      cur += word;
      has_word = true;
    } else if (!cur.empty() && m.width(word) <= max_w) {  // fits without the indent: drop it
      cur = std::move(word);
      has_word = true;
    } else {  // the word alone is too wide: break it between characters
      size_t p = 0;
      while (p < word.size()) {
        size_t q = next_cluster(word, p);
        std::string piece = cur + word.substr(p, q - p);
        if (has_word && m.width(piece) > max_w) {
          out.push_back(std::move(cur));
          cur.clear();
          has_word = false;
          continue;  // the same character starts the next line
        }
        cur = std::move(piece);
        has_word = true;
        p = q;
      }
    }
    sep = text.substr(e, k - e);
    i = k;
  }
  out.push_back(std::move(cur));
  return out;
}

struct Placed {
  std::string text;
  double size;
  bool bold;
  double x;    // left end of the text
  double top;  // top of the line box
};

struct PhysicalPage {
  std::vector<Placed> items;
  const Page* qr_of = nullptr;  // draw this Page's QR code here
  std::vector<std::string> caption;
};

struct QrBlock {
  std::unique_ptr<QRcode, QrDeleter> code;
  std::vector<std::string> caption;
  double module = 0;  // module size in points
  double box = 0;     // side of the symbol with its quiet zone
  double top = 0;     // top of the box (text must end above top - kQrGap)
};

QrBlock make_qr(const Page& page, const Measurer& m) {
  QrBlock q;
  if (page.qr_payload.size() > 4000) fail("QR payload too long");
  errno = 0;
  q.code.reset(QRcode_encodeData(static_cast<int>(page.qr_payload.size()),
                                 reinterpret_cast<const unsigned char*>(page.qr_payload.data()), 0,
                                 QR_ECLEVEL_M));
  if (!q.code) fail(errno == ERANGE ? "QR payload too long" : "QR encoding failed");
  q.module = kQrSide / q.code->width;
  q.box = kQrSide + 2 * kQrQuiet * q.module;
  double caption_h = 0;
  if (!page.qr_caption.empty()) {
    m.use(kCaptionSize, false);
    std::string c = clean(page.qr_caption);
    size_t s = 0;
    while (s <= c.size()) {
      size_t e = std::min(c.find('\n', s), c.size());
      for (auto& l : wrap(c.substr(s, e - s), q.box, m)) q.caption.push_back(std::move(l));
      s = e + 1;
    }
    caption_h = static_cast<double>(q.caption.size()) * kCaptionSize * kCaptionLineHeight;
  }
  q.top = kPageH - kBottom - caption_h - q.box;
  // The QR block may take at most 40% of the text area, so that the lines moved away from it
  // (at most its height plus one line) always fit above it on the next page.
  if (kPageH - kBottom - (q.top - kQrGap) > 0.4 * (kPageH - kTop - kBottom)) fail("QR caption too long");
  return q;
}

void draw_qr(cairo_t* cr, const QrBlock& q, const Measurer& m) {
  const double left = kPageW - kRight - q.box;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, left, q.top, q.box, q.box);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  const int w = q.code->width;
  const double x0 = left + kQrQuiet * q.module, y0 = q.top + kQrQuiet * q.module;
  // Each horizontal run of dark modules is a line one module thick, all stroked as one path (no
  // seams between runs or rows): cairo writes two points per run ("x y m x1 y l") where a filled
  // rectangle per run takes five. Measured against that: a one-page receipt is 3 KB smaller and
  // renders ~30% faster, and zbarimg decodes it the same from 72 to 300 dpi. (An image with
  // nearest-neighbour filtering is cheaper still, but viewers smooth it and at 72-100 dpi zbarimg
  // no longer decodes it.)
  cairo_save(cr);
  cairo_translate(cr, x0, y0);
  cairo_scale(cr, q.module, q.module);
  cairo_set_line_width(cr, 1);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  for (int y = 0; y < w; ++y) {
    const unsigned char* row = q.code->data + static_cast<size_t>(y) * w;
    for (int x = 0; x < w;) {
      if (!(row[x] & 1)) {
        ++x;
        continue;
      }
      int x1 = x;
      while (x1 < w && (row[x1] & 1)) ++x1;
      cairo_move_to(cr, x, y + 0.5);
      cairo_line_to(cr, x1, y + 0.5);
      x = x1;
    }
  }
  cairo_stroke(cr);
  cairo_restore(cr);
  if (!q.caption.empty()) {
    m.use(kCaptionSize, false);
    double top = q.top + q.box;
    for (const auto& l : q.caption) {
      cairo_move_to(cr, left + (q.box - m.width(l)) / 2, top + kCaptionSize * kBaseline);
      cairo_show_text(cr, l.c_str());
      top += kCaptionSize * kCaptionLineHeight;
    }
  }
}

void check(cairo_t* cr, const char* what) {
  if (cairo_status_t st = cairo_status(cr); st != CAIRO_STATUS_SUCCESS)
    fail(std::string(what) + ": " + cairo_status_to_string(st));
}

}  // namespace

std::string render(const DocumentSpec& spec) {
  if (spec.pages.empty()) fail("a document needs at least one page");
  fonts();  // fails early when the fonts are missing

  std::string out;
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(
      cairo_pdf_surface_create_for_stream(append_bytes, &out, kPageW, kPageH));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) fail("cannot create a PDF surface");
  // An invalid date leaves /CreationDate out: the bytes depend on the spec only.
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, "");
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "lienthong");
  if (!spec.title.empty())
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, clean(spec.title).c_str());
  if (!spec.author.empty())
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_AUTHOR, clean(spec.author).c_str());

  std::unique_ptr<cairo_t, ContextDeleter> cr_owner(cairo_create(surface.get()));
  cairo_t* cr = cr_owner.get();
  check(cr, "cannot create a drawing context");
  {
    cairo_font_options_t* fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
  }
  Measurer m(cr);

  // --- layout -----------------------------------------------------------------------------------
  std::vector<PhysicalPage> phys;
  std::vector<QrBlock> qrs;  // one per Page with a QR payload
  qrs.reserve(spec.pages.size());
  for (const Page& page : spec.pages) {
    if (phys.size() >= kMaxPages) fail("more than " + std::to_string(kMaxPages) + " pages");
    phys.emplace_back();
    double y = kTop;
    for (const Line& line : page.lines) {
      if (!std::isfinite(line.size) || line.size < kMinSize || line.size > kMaxSize)
        fail("font size out of range");
      m.use(line.size, line.bold);
      const double lh = line.size * kLineHeight;
      std::string text = clean(line.text);
      size_t s = 0;
      while (s <= text.size()) {
        size_t e = std::min(text.find('\n', s), text.size());
        for (auto& l : wrap(text.substr(s, e - s), kTextW, m)) {
          if (y + lh > kPageH - kBottom && !phys.back().items.empty()) {
            if (phys.size() >= kMaxPages) fail("more than " + std::to_string(kMaxPages) + " pages");
            phys.emplace_back();
            y = kTop;
          }
          double w = m.width(l);
          double x = line.align == Line::Align::left     ? kLeft
                     : line.align == Line::Align::center ? kLeft + (kTextW - w) / 2
                                                         : kLeft + kTextW - w;
          phys.back().items.push_back({std::move(l), line.size, line.bold, x, y});
          y += lh;
        }
        s = e + 1;
      }
    }
    if (!page.qr_payload.empty()) {
      qrs.push_back(make_qr(page, m));
      const double limit = qrs.back().top - kQrGap;
      // Lines of the last page that would reach into the QR block move to a new page.
      auto& items = phys.back().items;
      size_t first_low = items.size();
      while (first_low > 0) {
        const Placed& p = items[first_low - 1];
        if (p.top + p.size * kLineHeight <= limit) break;
        --first_low;
      }
      if (first_low < items.size() && first_low > 0) {
        if (phys.size() >= kMaxPages) fail("more than " + std::to_string(kMaxPages) + " pages");
        std::vector<Placed> moved(std::make_move_iterator(items.begin() + static_cast<long>(first_low)),
                                  std::make_move_iterator(items.end()));
        items.erase(items.begin() + static_cast<long>(first_low), items.end());
        phys.emplace_back();
        double top = kTop;
        for (auto& p : moved) {
          p.top = top;
          top += p.size * kLineHeight;
          phys.back().items.push_back(std::move(p));
        }
      } else if (first_low == 0 && !items.empty()) {
        // Only possible if a single line is taller than the space above the QR block; keep it
        // and put the QR code on a page of its own.
        if (phys.size() >= kMaxPages) fail("more than " + std::to_string(kMaxPages) + " pages");
        phys.emplace_back();
      }
      phys.back().qr_of = &page;
    }
  }

  // --- drawing ----------------------------------------------------------------------------------
  size_t qr_index = 0;
  for (const PhysicalPage& p : phys) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (const Placed& it : p.items) {
      if (it.text.empty()) continue;
      m.use(it.size, it.bold);
      cairo_move_to(cr, it.x, it.top + it.size * kBaseline);
      cairo_show_text(cr, it.text.c_str());
    }
    if (p.qr_of) draw_qr(cr, qrs[qr_index++], m);
    cairo_show_page(cr);
    check(cr, "drawing failed");
  }
  cr_owner.reset();
  cairo_surface_finish(surface.get());
  if (cairo_status_t st = cairo_surface_status(surface.get()); st != CAIRO_STATUS_SUCCESS)
    fail(std::string("writing failed: ") + cairo_status_to_string(st));
  surface.reset();
  return out;
}

}  // namespace lt::pdf
