#pragma once
// Small A4 PDF documents with Vietnamese text and a QR code: signed administrative results,
// receipts (biên nhận), apology slips. The caller describes lines of text; this component does the
// fonts, wrapping, page breaks and the QR code.
//
// - Text is UTF-8 (NFC or NFD; it is normalised to NFC). It is drawn in DejaVu Sans (regular or
//   bold, from fonts-dejavu-core), embedded as a subset with a ToUnicode map, so copying or
//   `pdftotext` gives back exactly the NFC text. '\n' starts a new line; tabs become spaces; other
//   control characters are dropped.
// - Page: A4 portrait, margins as in Nghị định 30/2020 (top 20 mm, bottom 20 mm, left 30 mm,
//   right 15 mm). A line longer than the text width wraps at spaces (a word longer than the whole
//   width is broken between characters); text that does not fit on a page continues on a new page.
//   An empty line leaves a blank line of its size.
// - QR code: when `qr_payload` is non-empty, a QR code (error correction M, 8-bit mode, 4-module
//   quiet zone) about 35 mm wide sits at the bottom right of the page, above the bottom margin,
//   with `qr_caption` (if any) in small type under it. When a Page's text runs over several PDF
//   pages, the QR code goes on the last of them, and text never overlaps it.
// - The output depends only on the DocumentSpec (no creation date is written), so rendering the
//   same spec twice gives the same bytes.
// - Thread-safe: render() may be called from several threads at once.
#include <string>
#include <vector>

namespace lt::pdf {

struct Line {
  std::string text;
  double size = 11;  // points, 4..96
  bool bold = false;
  enum class Align { left, center, right } align = Align::left;
};

struct Page {
  std::vector<Line> lines;
  std::string qr_payload;  // bytes to encode (e.g. a verification URL); empty: no QR code
  std::string qr_caption;  // small text under the QR code
};

struct DocumentSpec {
  std::string title;   // PDF metadata (shown as the window title by viewers)
  std::string author;  // PDF metadata
  std::vector<Page> pages;  // at least one; each starts on a new PDF page
};

// The PDF bytes. Throws std::runtime_error when the spec cannot be rendered (no pages, text that
// is not valid UTF-8, a font size out of range, a QR payload too long for a QR code, more than
// 100 PDF pages) or when the fonts are missing.
std::string render(const DocumentSpec& spec);

}  // namespace lt::pdf
