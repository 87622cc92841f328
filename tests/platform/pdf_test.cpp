// PDF documents (platform/pdf): the Vietnamese text comes back exactly from `pdftotext`, the QR code
// decodes exactly with `zbarimg`, NFD input gives NFC text, long lines wrap inside the margins, long
// text flows onto more pages with the QR code on the last one and clear of the text, the same spec
// gives the same bytes (from several threads too), and specs that cannot be rendered are refused.
// Needs poppler-utils (pdftotext, pdfinfo, pdftoppm) and zbar-tools (zbarimg): the tests that use
// them FAIL when they are missing (they are in the Makefile's package list).
#include "platform/pdf/pdf.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace lt::pdf;
namespace fs = std::filesystem;

namespace {

constexpr double kMm = 72.0 / 25.4;

const std::string kName = "Nguyễn Thị Hường";
const std::string kNameNfd = "Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Hu\xcc\x9bo\xcc\x9b\xcc\x80ng";
const std::string kNation = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
const std::string kMotto = "Độc lập - Tự do - Hạnh phúc";
const std::string kParagraph =
    "Ủy ban nhân dân phường Dịch Vọng Hậu đã tiếp nhận hồ sơ đề nghị cấp giấy chứng nhận quyền sử "
    "dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất của bà Nguyễn Thị Hường; hồ sơ gồm "
    "đủ các thành phần theo quy định, được kiểm tra, số hóa và chuyển đến cơ quan có thẩm quyền giải "
    "quyết; kết quả được trả đúng hạn tại bộ phận một cửa hoặc qua dịch vụ bưu chính công ích.";
const std::string kCaption = "Quét mã để xác minh";

// A verification URL as the dossiers module makes it: the code and an 86-character base64url
// Ed25519 signature.
std::string payload() {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string s;
  for (size_t i = 0; i < 86; ++i) s += alphabet[(i * 37 + 11) % 64];
  return "http://localhost:8080/verify?c=000.00.01.H22-250701-0001&s=" + s;
}

Page receipt_page() {
  Page p;
  p.lines.push_back({kNation, 12, true, Line::Align::center});
  p.lines.push_back({kMotto, 12, true, Line::Align::center});
  p.lines.push_back({"", 11});
  p.lines.push_back({"BIÊN NHẬN HỒ SƠ", 14, true, Line::Align::center});
  p.lines.push_back({"Người nộp: " + kName, 11});
  p.lines.push_back({kParagraph, 11});
  p.lines.push_back({"Hà Nội, ngày 01 tháng 7 năm 2025", 11, false, Line::Align::right});
  p.qr_payload = payload();
  p.qr_caption = kCaption;
  return p;
}

DocumentSpec receipt() { return {"Biên nhận hồ sơ 000.00.01.H22-250701-0001", "UBND phường Dịch Vọng Hậu", {receipt_page()}}; }

struct Result {
  int status = -1;  // exit status, or -1 when the command did not exit normally
  std::string out;  // standard output
  std::string err;  // standard error
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string collapse_spaces(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool space = c == ' ' || c == '\n' || c == '\f' || c == '\r' || c == '\t';
    if (!space)
      out += c;
    else if (!out.empty() && out.back() != ' ')
      out += ' ';
  }
  return out;
}

struct Word {
  std::string text;
  double x_min, y_min, x_max, y_max;  // points, y downwards from the top of the page
};

double attr(const std::string& tag, const std::string& name) {
  size_t p = tag.find(name + "=\"");
  if (p == std::string::npos) throw std::runtime_error("no " + name + " in " + tag);
  return std::stod(tag.substr(p + name.size() + 2));
}

// Words per page from `pdftotext -bbox` output.
std::vector<std::vector<Word>> parse_bbox(const std::string& html) {
  std::vector<std::vector<Word>> pages;
  size_t p = 0;
  while ((p = html.find('<', p)) != std::string::npos) {
    if (html.compare(p, 6, "<page ") == 0) {
      pages.emplace_back();
    } else if (html.compare(p, 6, "<word ") == 0) {
      size_t close = html.find('>', p);
      size_t end = html.find("</word>", close);
      if (pages.empty() || close == std::string::npos || end == std::string::npos)
        throw std::runtime_error("unexpected pdftotext -bbox output");
      std::string tag = html.substr(p, close - p);
      pages.back().push_back({html.substr(close + 1, end - close - 1), attr(tag, "xMin"), attr(tag, "yMin"),
                              attr(tag, "xMax"), attr(tag, "yMax")});
    }
    ++p;
  }
  return pages;
}

class Pdf : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lt-pdf-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    for (const char* tool : {"pdftotext", "pdfinfo", "pdftoppm", "zbarimg"})
      ASSERT_EQ(run(std::string("command -v ") + tool).status, 0)
          << tool << " is missing: apt-get install poppler-utils zbar-tools (see the Makefile)";
  }
  void TearDown() override {
    if (HasFailure())
      std::fprintf(stderr, "files kept in %s\n", dir_.c_str());
    else if (!dir_.empty())
      fs::remove_all(dir_);
  }

  // Runs a shell command (arguments made of safe characters only), capturing both outputs.
  Result run(const std::string& cmd) {
    const fs::path err = fs::path(dir_.empty() ? "/tmp" : dir_) / "stderr.txt";
    Result r;
    FILE* f = ::popen((cmd + " 2>'" + err.string() + "'").c_str(), "r");
    if (!f) return r;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) r.out.append(buf, n);
    int st = ::pclose(f);
    r.status = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.err = read_file(err);
    return r;
  }

  std::string write(const std::string& name, const std::string& bytes) {
    std::string path = (fs::path(dir_) / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::string text(const std::string& pdf) {
    Result r = run("pdftotext '" + pdf + "' -");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "") << "pdftotext warnings";
    return r.out;
  }

  std::vector<std::vector<Word>> words(const std::string& pdf) {
    Result r = run("pdftotext -bbox '" + pdf + "' -");
    EXPECT_EQ(r.status, 0) << r.err;
    return parse_bbox(r.out);
  }

  std::string info(const std::string& pdf, const std::string& field) {
    Result r = run("pdfinfo '" + pdf + "'");
    EXPECT_EQ(r.status, 0) << r.err;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
      if (line.rfind(field + ":", 0) == 0) {
        size_t v = line.find_first_not_of(' ', field.size() + 1);
        return v == std::string::npos ? "" : line.substr(v);
      }
    ADD_FAILURE() << "pdfinfo printed no " << field;
    return "";
  }

  int pages(const std::string& pdf) { return std::stoi(info(pdf, "Pages")); }

  // The QR code on one page (1-based), decoded by zbarimg from a 150 dpi rendering; "" if none.
  std::string qr_on_page(const std::string& pdf, int page) {
    const std::string png = (fs::path(dir_) / ("page-" + std::to_string(page))).string();
    const std::string n = std::to_string(page);
    Result r = run("pdftoppm -r 150 -png -f " + n + " -l " + n + " -singlefile '" + pdf + "' '" + png + "'");
    EXPECT_EQ(r.status, 0) << r.err;
    r = run("zbarimg --raw -q --nodbus -Sdisable -Sqrcode.enable '" + png + ".png'");
    if (r.status == 4) return "";  // zbarimg: no symbol found
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(!r.out.empty() && r.out.back() == '\n');
    if (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
  }

  std::string dir_;
};

// Every word lies inside the margins (top 20, bottom 20, left 30, right 15 mm).
void expect_inside_margins(const std::vector<std::vector<Word>>& pages) {
  for (size_t p = 0; p < pages.size(); ++p)
    for (const Word& w : pages[p]) {
      EXPECT_GE(w.x_min, 30 * kMm - 0.5) << "page " << p + 1 << ": " << w.text;
      EXPECT_LE(w.x_max, (210 - 15) * kMm + 0.5) << "page " << p + 1 << ": " << w.text;
      EXPECT_GE(w.y_min, 20 * kMm - 0.5) << "page " << p + 1 << ": " << w.text;
      EXPECT_LE(w.y_max, (297 - 20) * kMm + 0.5) << "page " << p + 1 << ": " << w.text;
    }
}

// On the QR code's page, the text ends at least 35 mm (the QR symbol) above the caption.
void expect_text_clear_of_qr(const std::vector<Word>& page) {
  double caption_top = 1e9;
  for (const Word& w : page)
    if (w.text == "Quét" || w.text == "xác" || w.text == "minh") caption_top = std::min(caption_top, w.y_min);
  ASSERT_LT(caption_top, 1e9) << "no QR caption on the page";
  EXPECT_GT(caption_top, (297 - 20 - 10) * kMm) << "the QR block is at the bottom of the page";
  for (const Word& w : page)
    if (w.y_min < caption_top - 1) {
      EXPECT_LE(w.y_max, caption_top - 35 * kMm) << w.text << " overlaps the QR code";
    }
}

}  // namespace

TEST_F(Pdf, VietnameseTextComesBackExactlyAndTheQrCodeDecodes) {
  const std::string bytes = render(receipt());
  ASSERT_EQ(bytes.rfind("%PDF-", 0), 0u);
  const std::string pdf = write("receipt.pdf", bytes);

  EXPECT_EQ(pages(pdf), 1);
  EXPECT_EQ(info(pdf, "Title"), "Biên nhận hồ sơ 000.00.01.H22-250701-0001");
  EXPECT_EQ(info(pdf, "Author"), "UBND phường Dịch Vọng Hậu");
  EXPECT_NE(info(pdf, "Page size").find("(A4)"), std::string::npos);

  const std::string t = text(pdf);
  for (const std::string& s : std::vector<std::string>{kNation, kMotto, "BIÊN NHẬN HỒ SƠ", "Người nộp: " + kName,
                                                      "Hà Nội, ngày 01 tháng 7 năm 2025", kCaption})
    EXPECT_NE(t.find(s + "\n"), std::string::npos) << "missing line: " << s << "\n--- pdftotext:\n" << t;
  // The paragraph wrapped onto several lines, every word kept in order.
  EXPECT_EQ(t.find(kParagraph), std::string::npos) << "the paragraph did not wrap";
  EXPECT_NE(collapse_spaces(t).find(kParagraph), std::string::npos) << t;
  const auto w = words(pdf);
  ASSERT_EQ(w.size(), 1u);
  expect_inside_margins(w);
  expect_text_clear_of_qr(w[0]);

  EXPECT_EQ(qr_on_page(pdf, 1), payload());
}

TEST_F(Pdf, NfdInputGivesNfcText) {
  DocumentSpec nfd{"Giấy của " + kNameNfd, kNameNfd, {receipt_page()}};
  nfd.pages[0].lines[4].text = "Người nộp: " + kNameNfd;
  DocumentSpec nfc{"Giấy của " + kName, kName, {receipt_page()}};
  // The same document: NFD is normalised before anything is measured or drawn.
  const std::string bytes = render(nfd);
  EXPECT_EQ(bytes, render(nfc));
  const std::string pdf = write("nfd.pdf", bytes);
  const std::string t = text(pdf);
  EXPECT_NE(t.find("Người nộp: " + kName + "\n"), std::string::npos) << t;
  EXPECT_EQ(t.find("\xcc"), std::string::npos) << "combining marks (U+0300..U+033F) in the text";
  EXPECT_EQ(info(pdf, "Title"), "Giấy của " + kName);
  EXPECT_EQ(info(pdf, "Author"), kName);
}

TEST_F(Pdf, ControlCharactersTabsAndNewlines) {
  Page p;
  p.lines.push_back({"Số hồ sơ:\t000.00.01.H22\r\nNgày nhận: 01/7/2025\x01\x7f\xc2\x85", 11});
  p.lines.push_back({"", 11});
  p.lines.push_back({"    Thụt đầu dòng", 11});
  const std::string pdf = write("ctl.pdf", render({"", "", {p}}));
  const std::string t = text(pdf);
  EXPECT_NE(t.find("Số hồ sơ: 000.00.01.H22\nNgày nhận: 01/7/2025\n"), std::string::npos) << t;
  EXPECT_NE(t.find("Thụt đầu dòng"), std::string::npos) << t;
  // The indent is kept: the word starts further right than the margin.
  const auto w = words(pdf);
  ASSERT_EQ(w.size(), 1u);
  bool found = false;
  for (const Word& x : w[0])
    if (x.text == "Thụt") {
      found = true;
      EXPECT_GT(x.x_min, 30 * kMm + 5);
    }
  EXPECT_TRUE(found);
}

TEST_F(Pdf, AWordWiderThanTheLineIsBrokenBetweenCharacters) {
  std::string word;
  for (int i = 0; i < 40; ++i) word += "Đường";
  Page p;
  p.lines.push_back({"Mã: " + word + " hết.", 11});
  p.lines.push_back({word, 20, true, Line::Align::center});
  const std::string pdf = write("long-word.pdf", render({"", "", {p}}));
  const std::string t = text(pdf);
  std::string joined;
  for (char c : t)
    if (c != '\n' && c != '\f') joined += c;
  // "Mã:" stays on its line, then the word continues on the next lines (nothing lost or added).
  EXPECT_NE(t.find("Mã:\n"), std::string::npos) << t;
  EXPECT_NE(joined.find("Mã:" + word + " hết." + word), std::string::npos) << t;
  expect_inside_margins(words(pdf));
}

TEST_F(Pdf, LongTextFlowsOntoMorePagesWithTheQrCodeOnTheLast) {
  Page p = receipt_page();
  for (int i = 1; i <= 25; ++i) p.lines.push_back({"Mục " + std::to_string(i) + ". " + kParagraph, 11});
  p.lines.push_back({"Người ký: " + kName, 11, true, Line::Align::right});
  const std::string pdf = write("long.pdf", render({"Nhiều trang", "", {p}}));
  const int n = pages(pdf);
  ASSERT_GE(n, 2);
  const std::string t = text(pdf);
  size_t at = 0;
  for (int i = 1; i <= 25; ++i) {
    std::string head = "Mục " + std::to_string(i) + ". ";
    size_t k = t.find(head, at);
    EXPECT_NE(k, std::string::npos) << head << " missing or out of order";
    if (k != std::string::npos) at = k;
  }
  EXPECT_NE(collapse_spaces(t).find("Mục 25. " + kParagraph + " Người ký: " + kName), std::string::npos);
  const auto w = words(pdf);
  ASSERT_EQ(static_cast<int>(w.size()), n);
  expect_inside_margins(w);
  expect_text_clear_of_qr(w.back());
  for (int i = 1; i < n; ++i) EXPECT_EQ(qr_on_page(pdf, i), "") << "a QR code on page " << i;
  EXPECT_EQ(qr_on_page(pdf, n), payload());
}

// Around the point where the last lines would reach the QR code, they move to a new page.
TEST_F(Pdf, LinesThatWouldReachTheQrCodeMoveToANewPage) {
  int previous_pages = 0;
  bool moved = false;
  for (int count = 30; count <= 50; count += 2) {
    Page p;
    for (int i = 1; i <= count; ++i) p.lines.push_back({"Dòng " + std::to_string(i) + " " + kMotto, 11});
    p.qr_payload = payload();
    p.qr_caption = kCaption;
    const std::string pdf = write("lines-" + std::to_string(count) + ".pdf", render({"", "", {p}}));
    const auto w = words(pdf);
    ASSERT_FALSE(w.empty());
    expect_inside_margins(w);
    expect_text_clear_of_qr(w.back());
    // Every line is there once, in order.
    const std::string t = collapse_spaces(text(pdf));
    size_t at = 0;
    for (int i = 1; i <= count; ++i) {
      size_t k = t.find("Dòng " + std::to_string(i) + " " + kMotto, at);
      ASSERT_NE(k, std::string::npos) << count << " lines: line " << i;
      at = k + 1;
    }
    if (previous_pages == 1 && w.size() == 2) moved = true;
    previous_pages = static_cast<int>(w.size());
  }
  EXPECT_TRUE(moved) << "no count of lines between 30 and 50 needed a second page";
}

TEST_F(Pdf, EachPageOfTheSpecStartsANewPdfPageWithItsOwnQrCode) {
  Page a = receipt_page();
  Page b;
  b.lines.push_back({"PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", 13, true, Line::Align::center});
  b.qr_payload = "http://localhost:8080/verify?c=000.00.01.H22-250701-0002";
  Page c;
  c.lines.push_back({"Trang không có mã QR", 11});
  const std::string pdf = write("three.pdf", render({"", "", {a, b, c}}));
  ASSERT_EQ(pages(pdf), 3);
  EXPECT_EQ(qr_on_page(pdf, 1), payload());
  EXPECT_EQ(qr_on_page(pdf, 2), b.qr_payload);
  EXPECT_EQ(qr_on_page(pdf, 3), "");
}

TEST(PdfRender, SameSpecSameBytesFromSeveralThreads) {
  const DocumentSpec spec = receipt();
  const std::string first = render(spec);
  EXPECT_EQ(first.find("/CreationDate"), std::string::npos);
  EXPECT_EQ(first.find("/ModDate"), std::string::npos);
  std::vector<std::future<std::vector<std::string>>> workers;
  for (int t = 0; t < 4; ++t)
    workers.push_back(std::async(std::launch::async, [&spec] {
      std::vector<std::string> out;
      for (int i = 0; i < 5; ++i) out.push_back(render(spec));
      return out;
    }));
  for (auto& w : workers)
    for (const std::string& s : w.get()) EXPECT_TRUE(s == first) << "different bytes";
}

TEST(PdfRender, RefusesWhatCannotBeRendered) {
  EXPECT_THROW(render({}), std::runtime_error);
  EXPECT_THROW(render({"Tiêu đề", "", {}}), std::runtime_error);

  auto with_line = [](std::string text, double size = 11) {
    Page p;
    p.lines.push_back({std::move(text), size});
    return DocumentSpec{"", "", {p}};
  };
  EXPECT_NO_THROW(render(with_line("Hợp lệ")));
  EXPECT_THROW(render(with_line("Nguy\xe1\xbb")), std::runtime_error);       // truncated sequence
  EXPECT_THROW(render(with_line("abc\xff")), std::runtime_error);            // invalid byte
  EXPECT_THROW(render(with_line("\xc0\xaf")), std::runtime_error);           // overlong
  EXPECT_THROW(render(with_line("\xed\xa0\x80")), std::runtime_error);       // surrogate
  DocumentSpec bad_title = with_line("x");
  bad_title.title = "Bi\xean nh\xe2n";  // Latin-1, not UTF-8
  EXPECT_THROW(render(bad_title), std::runtime_error);
  DocumentSpec bad_author = with_line("x");
  bad_author.author = "\xff";
  EXPECT_THROW(render(bad_author), std::runtime_error);
  DocumentSpec bad_caption = with_line("x");
  bad_caption.pages[0].qr_payload = "x";
  bad_caption.pages[0].qr_caption = "\x80";
  EXPECT_THROW(render(bad_caption), std::runtime_error);

  EXPECT_THROW(render(with_line("x", 3.9)), std::runtime_error);
  EXPECT_THROW(render(with_line("x", 96.1)), std::runtime_error);
  EXPECT_THROW(render(with_line("x", std::nan(""))), std::runtime_error);
  EXPECT_NO_THROW(render(with_line("x", 4)));
  EXPECT_NO_THROW(render(with_line("x", 96)));

  DocumentSpec big_qr = with_line("x");
  big_qr.pages[0].qr_payload = std::string(2331, 'a');  // version 40-M holds 2331 bytes
  EXPECT_NO_THROW(render(big_qr));
  big_qr.pages[0].qr_payload = std::string(2332, 'a');
  EXPECT_THROW(render(big_qr), std::runtime_error);
  big_qr.pages[0].qr_payload = std::string(100000, 'a');
  EXPECT_THROW(render(big_qr), std::runtime_error);

  DocumentSpec long_caption = with_line("x");
  long_caption.pages[0].qr_payload = "x";
  long_caption.pages[0].qr_caption = std::string(40, '\n');
  EXPECT_THROW(render(long_caption), std::runtime_error);

  // More than 100 PDF pages: from many Pages, or from one Page's text.
  DocumentSpec many;
  many.pages.assign(100, with_line("x").pages[0]);
  EXPECT_NO_THROW(render(many));
  many.pages.push_back(many.pages[0]);
  EXPECT_THROW(render(many), std::runtime_error);
  Page tall;
  for (int i = 0; i < 101 * 50; ++i) tall.lines.push_back({"dòng", 11});
  EXPECT_THROW(render({"", "", {tall}}), std::runtime_error);
}
