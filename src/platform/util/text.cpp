#include "platform/util/text.hpp"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <unicode/uchar.h>

#include <algorithm>
#include <memory>
#include <vector>
#include <mutex>
#include <stdexcept>

namespace lt::text {

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p < n + 1) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    p += n + 1;
  }
  return true;
}

// True when `s` is valid UTF-8 whose every code point is below U+0300 or in Latin Extended
// Additional (U+1E00..U+1EFF): such text is already NFC (no code point there has NFC_Quick_Check
// No or Maybe; the first Maybe is U+0300, a combining mark), which covers Vietnamese written with
// precomposed letters. Anything else is left to ICU.
bool plainly_nfc(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
    } else if (c >= 0xC2 && c <= 0xCB) {  // U+0080..U+02FF
      if (end - p < 2 || (p[1] & 0xC0) != 0x80) return false;
      p += 2;
    } else if (c == 0xE1 && end - p >= 3 && (p[1] == 0xB8 || p[1] == 0xB9 || p[1] == 0xBA || p[1] == 0xBB)) {  // U+1E00..U+1EFF
      if ((p[2] & 0xC0) != 0x80) return false;
      p += 3;
    } else {
      return false;
    }
  }
  return true;
}

std::string nfc(std::string_view s) {
  if (plainly_nfc(s)) return std::string(s);
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(err);
  if (U_FAILURE(err)) throw std::runtime_error("ICU NFC unavailable");
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  if (n->isNormalized(u, err) && U_SUCCESS(err)) return std::string(s);
  err = U_ZERO_ERROR;
  icu::UnicodeString out = n->normalize(u, err);
  if (U_FAILURE(err)) throw std::runtime_error("ICU NFC failed");
  std::string r;
  out.toUTF8String(r);
  return r;
}

namespace {
// Transliterators are not thread-safe: one per thread.
icu::Transliterator& folder() {
  thread_local std::unique_ptr<icu::Transliterator> t = [] {
    UErrorCode err = U_ZERO_ERROR;
    UParseError perr;
    std::unique_ptr<icu::Transliterator> tr(icu::Transliterator::createFromRules(
        "lt-fold", "::NFD; ::[:Nonspacing Mark:] Remove; đ > d; Đ > d; ::Lower; ::NFC;",
        UTRANS_FORWARD, perr, err));
    if (U_FAILURE(err) || !tr) throw std::runtime_error("ICU transliterator unavailable");
    return tr;
  }();
  return *t;
}
}  // namespace

namespace {
// One Latin code point, decomposed once with ICU: what fold() and tone_key() emit for it.
struct Entry {
  bool known = false;  // false: let ICU handle the whole string
  bool mark = false;   // a combining mark (NFD input): folded away
  uint8_t tone = 0;    // 0 none, 1 grave, 2 acute, 3 tilde, 4 hook above, 5 dot below
  uint8_t fold_len = 0, base_len = 0;
  char fold[4] = {};   // lower case, no marks, đ→d
  char base[4] = {};   // lower case, quality marks kept (â ê ô ơ ư ă đ), tone removed
};

uint8_t tone_of_mark(UChar32 m) {
  switch (m) {
    case 0x0300: return 1;
    case 0x0301: return 2;
    case 0x0303: return 3;
    case 0x0309: return 4;
    case 0x0323: return 5;
    default: return 0;
  }
}

bool in_table(UChar32 cp) { return cp < 0x250 || (cp >= 0x1E00 && cp <= 0x1EFF) || (cp >= 0x300 && cp <= 0x36F); }
size_t slot(UChar32 cp) { return cp < 0x370 ? static_cast<size_t>(cp) : static_cast<size_t>(cp - 0x1E00 + 0x370); }

void put(char* dst, uint8_t& len, const std::string& v) {
  if (v.size() > 3) throw std::length_error("entry");
  len = static_cast<uint8_t>(v.size());
  std::copy(v.begin(), v.end(), dst);
}

const std::vector<Entry>& table() {
  static const std::vector<Entry> t = [] {
    std::vector<Entry> v(0x370 + 0x100);
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(err);
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(err);
    if (U_FAILURE(err)) throw std::runtime_error("ICU normalizer unavailable");
    auto build = [&](UChar32 cp) {
      Entry& e = v[slot(cp)];
      if (cp >= 0x300 && cp <= 0x36F) {
        e.known = e.mark = true;
        e.tone = tone_of_mark(cp);
        return;
      }
      UErrorCode ec = U_ZERO_ERROR;
      icu::UnicodeString d = nfd->normalize(icu::UnicodeString(cp), ec);
      if (U_FAILURE(ec) || d.length() == 0) return;
      UChar32 base = d.char32At(0);
      icu::UnicodeString quality(base);
      for (int32_t i = U16_LENGTH(base); i < d.length();) {
        UChar32 m = d.char32At(i);
        i += U16_LENGTH(m);
        if (uint8_t tn = tone_of_mark(m)) e.tone = tn;
        else if (m == 0x0302 || m == 0x0306 || m == 0x031B) quality.append(m);
      }
      std::string b, f;
      ec = U_ZERO_ERROR;
      nfc->normalize(quality, ec).toLower().toUTF8String(b);
      UChar32 lower = u_tolower(base);
      if (lower == 0x0111) f = "d";  // đ does not decompose
      else icu::UnicodeString(lower).toUTF8String(f);
      if (U_FAILURE(ec)) return;
      try {
        put(e.base, e.base_len, b);
        put(e.fold, e.fold_len, f);
      } catch (const std::length_error&) {
        return;
      }
      // Only plain ASCII letters after folding take the fast path; other scripts go to ICU.
      e.known = e.fold_len == 1 && static_cast<unsigned char>(e.fold[0]) < 0x80;
    };
    for (UChar32 cp = 0x80; cp < 0x250; ++cp) build(cp);
    for (UChar32 cp = 0x300; cp <= 0x36F; ++cp) build(cp);
    for (UChar32 cp = 0x1E00; cp <= 0x1EFF; ++cp) build(cp);
    return v;
  }();
  return t;
}

// Decodes one code point of valid UTF-8 at s[i]; returns -1 on a malformed sequence.
UChar32 next_cp(std::string_view s, size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
  if (n < 0 || i + static_cast<size_t>(n) >= s.size() + (n == 0 ? 1 : 0)) return -1;
  UChar32 cp = n == 0 ? c : n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k <= n; ++k) {
    auto cc = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((cc & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (cc & 0x3F);
  }
  i += static_cast<size_t>(n) + 1;
  return cp;
}

void icu_fold_append(std::string_view s, std::string& out) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  folder().transliterate(u);
  u.toUTF8String(out);
}
}  // namespace

void fold_append(std::string_view s, std::string& out) {
  const auto& t = table();
  size_t start = out.size();
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c));
      ++i;
      continue;
    }
    UChar32 cp = next_cp(s, i);
    const Entry* e = cp >= 0 && in_table(cp) ? &t[slot(cp)] : nullptr;
    if (!e || !e->known) {
      out.resize(start);
      icu_fold_append(s, out);
      return;
    }
    if (!e->mark) out.append(e->fold, e->fold_len);
  }
}

std::string fold(std::string_view s) {
  std::string r;
  r.reserve(s.size());
  fold_append(s, r);
  return r;
}

std::string tone_key(std::string_view in) {
  const auto& t = table();
  // NFD input: compose first so that quality marks join their letters.
  std::string composed;
  for (size_t i = 0; i + 1 < in.size(); ++i)
    if (static_cast<unsigned char>(in[i]) == 0xCC || (static_cast<unsigned char>(in[i]) == 0xCD && static_cast<unsigned char>(in[i + 1]) < 0xB0)) {
      composed = valid_utf8(in) ? nfc(in) : std::string(in);
      in = composed;
      break;
    }
  static constexpr char kTone[] = {0, 'F', 'S', 'X', 'R', 'J'};  // Telex letters, upper case: never in the key otherwise
  std::string r;
  r.reserve(in.size());
  uint8_t tone = 0;
  auto flush = [&] {
    if (tone) r.push_back(kTone[tone]);
    tone = 0;
  };
  for (size_t i = 0; i < in.size();) {
    auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum) flush();
      r.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c));
      ++i;
      continue;
    }
    size_t at = i;
    UChar32 cp = next_cp(in, i);
    if (cp < 0) {
      r.push_back(static_cast<char>(c));
      i = at + 1;
      continue;
    }
    if (in_table(cp) && t[slot(cp)].known) {
      const Entry& e = t[slot(cp)];
      if (e.tone) tone = e.tone;
      if (!e.mark) r.append(e.base, e.base_len);
    } else {
      r.append(in.substr(at, i - at));
    }
  }
  flush();
  return r;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

}  // namespace lt::text
