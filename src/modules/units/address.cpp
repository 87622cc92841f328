// Unit search and address conversion (docs/UNITS.md).
#include "modules/units/address.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <limits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <istream>
#include <map>
#include <ostream>
#include <set>
#include <unordered_map>

#include "platform/util/csv.hpp"
#include "platform/util/flat_index.hpp"
#include "platform/util/error.hpp"
#include "platform/util/text.hpp"

namespace lt::units {

std::string_view how_name(How h) {
  switch (h) {
    case How::code: return "code";
    case How::exact: return "exact";
    case How::folded: return "folded";
    case How::variant: return "variant";
    case How::fuzzy: return "fuzzy";
    case How::none: break;
  }
  return "none";
}

double how_factor(How h) {
  switch (h) {
    case How::code:
    case How::exact: return 1.0;
    case How::folded: return 0.95;
    case How::variant: return 0.9;
    case How::fuzzy: return 0.8;
    case How::none: break;
  }
  return 1.0;
}

namespace {

constexpr unsigned kProvince = 1, kDistrict = 2, kCommune = 4, kAny = 7;

unsigned level_bit(std::string_view level) {
  return level == "province" ? kProvince : level == "district" ? kDistrict : kCommune;
}

// "2025-07-01" → 20250701 (0 for anything else).
int yyyymmdd(std::string_view d) {
  if (d.size() < 10) return 0;
  int v = 0;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return 0;
    v = v * 10 + (d[i] - '0');
  }
  return v;
}

// Type words, folded, with the levels they name. Two-word ones are tried first.
struct TypeWord {
  const char* first;
  const char* second;  // nullptr: one word
  const char* type;    // canonical folded type
  unsigned levels;
  bool abbreviation;
};
constexpr TypeWord kTypeWords[] = {
    {"thanh", "pho", "thanh pho", kProvince | kDistrict, false},
    {"thi", "xa", "thi xa", kDistrict, false},
    {"thi", "tran", "thi tran", kCommune, false},
    {"dac", "khu", "dac khu", kCommune, false},
    {"huyen", "dao", "huyen", kDistrict, false},
    {"tinh", nullptr, "tinh", kProvince, false},
    {"quan", nullptr, "quan", kDistrict, false},
    {"huyen", nullptr, "huyen", kDistrict, false},
    {"phuong", nullptr, "phuong", kCommune, false},
    {"xa", nullptr, "xa", kCommune, false},
    {"tp", nullptr, "thanh pho", kProvince | kDistrict, true},
    {"tx", nullptr, "thi xa", kDistrict, true},
    {"tt", nullptr, "thi tran", kCommune, true},
    {"q", nullptr, "quan", kDistrict, true},
    {"h", nullptr, "huyen", kDistrict, true},
    {"p", nullptr, "phuong", kCommune, true},
    {"f", nullptr, "phuong", kCommune, true},
    {"x", nullptr, "xa", kCommune, true},
    {"t", nullptr, "tinh", kProvince, true},
};

// A word of the input: its folded and exact forms and whether a '.' followed it.
struct Word {
  std::string folded, exact;
  bool dot = false;
  size_t begin = 0, end = 0;  // byte range in the original text
};

bool is_sep(unsigned char c) { return c == ' ' || c == '.' || c == '-' || c == '_' || c == '/' || c == '\t' || c == '(' || c == ')'; }

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string strip_zeros(std::string s) {
  if (!all_digits(s)) return s;
  size_t i = s.find_first_not_of('0');
  return i == std::string::npos ? "0" : s.substr(i);
}

// Splits into words at separators; apostrophes (' ’ ‘) vanish ("B'Lao" = "BLao").
std::vector<Word> words_of(std::string_view s, size_t offset) {
  std::vector<Word> out;
  std::string raw;
  size_t begin = 0;
  auto flush = [&](size_t end, bool dot) {
    if (!raw.empty()) {
      Word w;
      w.exact = strip_zeros(text::tone_key(raw));
      w.folded = strip_zeros(text::fold(raw));
      w.dot = dot;
      w.begin = offset + begin;
      w.end = offset + end;
      out.push_back(std::move(w));
      raw.clear();
    } else if (dot && !out.empty()) {
      out.back().dot = true;
    }
  };
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '\'' || c == '`') {
      ++i;
      continue;
    }
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0x98 || static_cast<unsigned char>(s[i + 2]) == 0x99)) {
      i += 3;  // ‘ ’
      continue;
    }
    if (c < 0x80 && is_sep(c)) {
      flush(i, c == '.');
      ++i;
      begin = i;
      continue;
    }
    if (raw.empty()) begin = i;
    raw.push_back(static_cast<char>(c));
    ++i;
  }
  flush(s.size(), false);
  return out;
}

// "p05" → ("p", "5"): a one-letter type glued to a number.
bool glued(const std::string& w, std::string& letter, std::string& number) {
  if (w.size() < 2 || !(w[0] == 'p' || w[0] == 'q' || w[0] == 'f' || w[0] == 'x')) return false;
  if (!all_digits(std::string_view(w).substr(1))) return false;
  letter = w.substr(0, 1);
  number = strip_zeros(w.substr(1));
  return true;
}

std::string join(const std::vector<Word>& ws, size_t from, std::string Word::*field) {
  std::string r;
  for (size_t i = from; i < ws.size(); ++i) {
    if (!r.empty()) r += ' ';
    r += ws[i].*field;
  }
  return r;
}

// Optimal string alignment distance, giving up above `max`.
size_t edit_distance(std::string_view a, std::string_view b, size_t max) {
  if (a.size() > b.size() + max || b.size() > a.size() + max) return max + 1;
  const size_t n = a.size(), m = b.size();
  if (m >= 64) return max + 1;  // unit names are far shorter
  uint16_t rows[3][64];         // no allocation: this runs for every candidate
  uint16_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
  for (size_t j = 0; j <= m; ++j) prev[j] = static_cast<uint16_t>(j);
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = static_cast<uint16_t>(i);
    size_t best = cur[0];
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t v = std::min({static_cast<size_t>(prev[j]) + 1, static_cast<size_t>(cur[j - 1]) + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = std::min(v, static_cast<size_t>(prev2[j - 2]) + 1);
      cur[j] = static_cast<uint16_t>(v);
      best = std::min(best, v);
    }
    if (best > max) return max + 1;
    uint16_t* t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[m];
}

// Which letters and digits a key holds, one bit each: an edit changes at most two bits, so keys
// whose signatures differ in more than 2 × budget bits cannot be within the budget.
uint64_t letter_sig(std::string_view k) {
  uint64_t s = 0;
  for (char c : k) {
    if (c >= 'a' && c <= 'z') s |= uint64_t{1} << (c - 'a');
    else if (c >= '0' && c <= '9') s |= uint64_t{1} << (26 + c - '0');
  }
  return s;
}

bool sig_close(uint64_t a, uint64_t b, size_t budget) { return static_cast<size_t>(__builtin_popcountll(a ^ b)) <= 2 * budget; }

size_t fuzzy_budget(std::string_view variant) { return variant.size() >= 9 ? 2 : variant.size() >= 5 ? 1 : 0; }

// Well-known short forms of province names (variant keys) → province code.
const std::unordered_map<std::string, std::string>& province_aliases() {
  static const std::unordered_map<std::string, std::string> m = {
      {"hcm", "79"}, {"tphcm", "79"}, {"sg", "79"}, {"hn", "01"}, {"tphn", "01"}, {"tthue", "46"},
      {"brvt", "77"}, {"dn", "48"},   {"hp", "31"}, {"ct", "92"}, {"tpct", "92"},
  };
  return m;
}

// Names written without spaces or with a well-known other name: a loose (variant) match.
const std::unordered_map<std::string, std::string>& province_other_names() {
  static const std::unordered_map<std::string, std::string> m = {
      {"hochiminh", "79"}, {"saigon", "79"}, {"hue", "46"}, {"vungtau", "77"}, {"danang", "48"}, {"daklak", "66"},
      {"daknong", "67"},   {"hanoi", "01"},  {"haiphong", "31"}, {"cantho", "92"},
  };
  return m;
}

bool is_country(const std::string& variant) { return variant == "vietnam" || variant == "vn" || variant == "nuocchxhcnvietnam"; }

}  // namespace

// A piece of an address, parsed: its type word (if any), the levels that allows, and the keys of
// the rest.
struct AddressIndex::Segment {
  std::string_view text;
  std::string type;         // canonical folded type word, "" when none
  bool abbreviated = false;  // the type was written short ("TT", "P."): it may also be part of a name
  unsigned levels = kAny;
  std::string exact, folded, variant;
  bool numeric = false;
  // The same piece read without a type word (for "TT Huế" = Thừa Thiên Huế, not thị trấn Huế).
  std::unique_ptr<Segment> untyped;
  // The index entries under each key, by level (province, district, commune) and key kind (exact,
  // folded, variant), looked up on first use: a segment kept in a ParseCache never hashes again.
  mutable std::array<const std::vector<uint32_t>*, 10> found{};  // [9]: short province names
  mutable unsigned resolved = 0;  // level bits whose `found` are set
};

namespace {
void fill_keys(AddressIndex::Segment& s, const std::vector<Word>& ws, size_t from);
}

std::string AddressIndex::variant_key(std::string_view folded) {
  std::string r;
  r.reserve(folded.size());
  size_t word_start = 0;
  auto is_vowel = [](char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; };
  for (size_t i = 0; i <= folded.size(); ++i) {
    bool end = i == folded.size() || !((folded[i] >= 'a' && folded[i] <= 'z') || (folded[i] >= '0' && folded[i] <= '9'));
    if (!end) continue;
    std::string w(folded.substr(word_start, i - word_start));
    if (!w.empty()) {
      if (w.size() > 1 && w.back() == 'k') w.back() = 'c';
      if (w.size() > 1 && w.back() == 'y' && (!is_vowel(w[w.size() - 2]) || (w.size() > 2 && w[w.size() - 2] == 'u' && w[w.size() - 3] == 'q')))
        w.back() = 'i';
      r += w;
    }
    word_start = i + 1;
  }
  return r;
}

namespace {
void fill_keys(AddressIndex::Segment& s, const std::vector<Word>& ws, size_t from) {
  s.exact = join(ws, from, &Word::exact);
  s.folded = join(ws, from, &Word::folded);
  s.variant = AddressIndex::variant_key(s.folded);
  s.numeric = std::any_of(s.folded.begin(), s.folded.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Parses one piece: "Q.1" → type quan, "1"; "Phường Dịch Vọng Hậu" → type phuong, "dịch vọng hậu".
AddressIndex::Segment parse_segment(std::string_view text, size_t offset, bool allow_type = true) {
  AddressIndex::Segment s;
  s.text = text;
  auto ws = words_of(text, offset);
  size_t from = 0;
  if (allow_type && ws.size() >= 2) {
    for (const auto& t : kTypeWords) {
      if (t.second) {
        if (ws.size() >= 3 && ws[0].folded == t.first && ws[1].folded == t.second) {
          s.type = t.type;
          s.levels = t.levels;
          from = 2;
          break;
        }
      } else if (ws[0].folded == t.first) {
        // A one-letter abbreviation needs its dot or a number after it ("P.5", "Q 1", "H. Đông Anh").
        if (t.abbreviation && std::string_view(t.first).size() == 1 && !ws[0].dot && !all_digits(ws[1].folded)) continue;
        s.type = t.type;
        s.levels = t.levels;
        s.abbreviated = t.abbreviation;
        from = 1;
        break;
      }
    }
  }
  if (allow_type && s.type.empty() && ws.size() == 1) {
    std::string letter, number;
    if (glued(ws[0].folded, letter, number)) {
      for (const auto& t : kTypeWords)
        if (!t.second && letter == t.first) {
          s.type = t.type;
          s.levels = t.levels;
          s.abbreviated = true;
          break;
        }
      ws[0].folded = ws[0].exact = number;
    }
  }
  // A type word alone ("Phường", "Xã") names no unit.
  if (allow_type && ws.size() == 1)
    for (const auto& t : kTypeWords)
      if (!t.second && !t.abbreviation && ws[0].folded == t.first) ws.clear();
  fill_keys(s, ws, from);
  if (s.abbreviated) {
    s.untyped = std::make_unique<AddressIndex::Segment>();
    s.untyped->text = text;
    fill_keys(*s.untyped, ws, 0);
  }
  return s;
}

std::string_view trim_seps(std::string_view s) {
  s = text::trim(s);
  while (!s.empty() && (s.front() == '-' || s.front() == ',' || s.front() == ';' || s.front() == ' ')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '-' || s.back() == ',' || s.back() == ';' || s.back() == ' ' || s.back() == '.')) s.remove_suffix(1);
  return text::trim(s);
}

// Splits an address into pieces at , ; | and line breaks. A single piece is split again before its
// type words ("123 Lê Lợi P.Bến Nghé Q.1 TP.HCM").
std::vector<std::string_view> pieces_of(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    size_t sep = 0;  // length of the separator at i
    if (i == text.size() || text[i] == ',' || text[i] == ';' || text[i] == '|' || text[i] == '\n' || text[i] == '\r') sep = 1;
    else if (text[i] == ' ' && text.substr(i, 3) == " - ") sep = 3;
    else if (text[i] == ' ' && text.substr(i, 5) == " \xE2\x80\x93 ") sep = 5;  // en dash
    if (sep) {
      auto p = trim_seps(text.substr(start, i - start));
      if (!p.empty()) out.push_back(p);
      start = i + sep;
      i += sep - 1;
    }
  }
  if (out.size() != 1) return out;
  std::string_view one = out[0];
  size_t base = static_cast<size_t>(one.data() - text.data());
  auto ws = words_of(one, base);
  std::vector<size_t> cuts;
  for (size_t i = 1; i < ws.size(); ++i) {
    const Word& w = ws[i];
    std::string letter, number;
    bool cut = false;
    for (const auto& t : kTypeWords) {
      if (t.second) {
        cut = i + 1 < ws.size() && w.folded == t.first && ws[i + 1].folded == t.second;
      } else if (w.folded == t.first) {
        cut = std::string_view(t.first).size() > 1 ? i + 1 < ws.size() : (w.dot && i + 1 < ws.size());
      }
      if (cut) break;
    }
    if (!cut && glued(w.folded, letter, number)) cut = true;
    if (cut && (cuts.empty() || cuts.back() + 1 < i)) cuts.push_back(i);
  }
  if (cuts.empty()) return out;
  out.clear();
  size_t from = base;
  for (size_t c : cuts) {
    auto p = trim_seps(text.substr(from, ws[c].begin - from));
    if (!p.empty()) out.push_back(p);
    from = ws[c].begin;
  }
  auto p = trim_seps(text.substr(from, base + one.size() - from));
  if (!p.empty()) out.push_back(p);
  return out;
}

std::string province_code_of(const Gazetteer& g, const UnitVersion& u) {
  if (u.level == "province") return u.code;
  if (u.level == "district") return u.parent_code;
  if (u.parent_code.size() == 3) {
    for (const auto* d : g.versions("district", u.parent_code)) return d->parent_code;
    return "";
  }
  return u.parent_code;
}

double round2(double x) { return std::round(x * 100.0) / 100.0; }

}  // namespace

AddressIndex::AddressIndex(std::shared_ptr<const Gazetteer> g) : g_(std::move(g)) {
  const auto& all = g_->all();
  entries_.reserve(all.size());
  for (const auto& u : all) {
    Entry e;
    e.unit = &u;
    auto seg = parse_segment(u.name, 0);
    e.exact = seg.exact;
    e.folded = seg.folded;
    e.variant = seg.variant;
    e.sig = letter_sig(seg.variant);
    e.fsig = letter_sig(seg.folded);
    e.type_folded = seg.type;
    e.numeric = seg.numeric;
    e.province = province_code_of(*g_, u);
    e.level_bit = level_bit(u.level);
    e.from = yyyymmdd(u.valid_from);
    e.to = u.valid_to.empty() ? std::numeric_limits<int>::max() : yyyymmdd(u.valid_to);
    e.parent_num = code_num(u.parent_code);
    e.province_num = code_num(e.province);
    entries_.push_back(std::move(e));
  }
  for (uint32_t id = 0; id < entries_.size(); ++id) {
    const Entry& e = entries_[id];
    const std::string& level = e.unit->level;
    keys_.add(KeyTable::kExact, e.level_bit, e.exact, id);
    keys_.add(KeyTable::kFolded, e.level_bit, e.folded, id);
    keys_.add(KeyTable::kVariant, e.level_bit, e.variant, id);
    children_[e.unit->level == "commune" && e.unit->parent_code.size() == 3 ? "district/" + e.unit->parent_code
                                                                           : (e.unit->parent_code.empty() ? "" : "province/" + e.unit->parent_code)]
        .push_back(id);
    if (level != "province") children_["in/" + e.province + "/" + level].push_back(id);
    else children_["all/province"].push_back(id);
    if (level == "district") children_["all/district"].push_back(id);
    if (level == "commune") children_["all/commune"].push_back(id);
  }
  // Aliases for provinces, under the variant key.
  for (uint32_t id = 0; id < entries_.size(); ++id) {
    if (entries_[id].unit->level != "province") continue;
    for (const auto& [alias, code] : province_aliases())
      if (entries_[id].unit->code == code) keys_.add(KeyTable::kAlias, kProvince, alias, id);
    for (const auto& [name, code] : province_other_names())
      if (entries_[id].unit->code == code) keys_.add(KeyTable::kVariant, kProvince, name, id);
  }
  // A new province's scope takes in the old provinces merged into it.
  for (const auto& u : all) {
    if (u.level != "province") continue;
    auto& s = scope_[u.code];
    if (std::find(s.begin(), s.end(), u.code) == s.end()) s.push_back(u.code);
    for (const auto* c : g_->formed_from("province", u.code))
      if (!c->old_code.empty() && std::find(s.begin(), s.end(), c->old_code) == s.end()) s.push_back(c->old_code);
  }
}

uint32_t AddressIndex::code_num(std::string_view code) {
  uint32_t n = 0;
  for (char ch : code) n = n * 10 + static_cast<uint32_t>(ch >= '0' && ch <= '9' ? ch - '0' : 0);
  return (n & 0xFFFFFF) | (static_cast<uint32_t>(code.size()) << 24);  // codes have at most 5 digits
}

uint64_t AddressIndex::KeyTable::hash(Kind kind, unsigned level, std::string_view key) {
  return std::hash<std::string_view>{}(key) ^ (static_cast<uint64_t>(kind) << 56) ^ (static_cast<uint64_t>(level) << 48);
}

void AddressIndex::KeyTable::add(Kind kind, unsigned level, const std::string& key, uint32_t id) {
  if (key.empty()) return;
  uint64_t h = hash(kind, level, key);
  const uint32_t* first = index_.find(h);
  uint32_t last = UINT32_MAX;
  for (uint32_t i = first ? *first : UINT32_MAX; i != UINT32_MAX; last = i, i = items_[i].next) {
    Item& it = items_[i];
    if (it.kind == kind && it.level == level && it.key == key) {
      if (std::find(it.ids.begin(), it.ids.end(), id) == it.ids.end()) it.ids.push_back(id);
      return;
    }
  }
  items_.push_back(Item{kind, level, key, {id}});
  auto at = static_cast<uint32_t>(items_.size() - 1);
  if (last == UINT32_MAX) index_.insert(h, at);
  else items_[last].next = at;
}

const AddressIndex::Ids* AddressIndex::KeyTable::find(Kind kind, unsigned level, std::string_view key) const {
  if (key.empty()) return nullptr;
  const uint32_t* first = index_.find(hash(kind, level, key));
  for (uint32_t i = first ? *first : UINT32_MAX; i != UINT32_MAX; i = items_[i].next) {
    const Item& it = items_[i];
    if (it.kind == kind && it.level == level && it.key == key) return &it.ids;
  }
  return nullptr;
}

AddressIndex::Ids AddressIndex::lookup(const Segment& seg, std::string_view level, const std::vector<std::string>* provinces,
                                       const UnitVersion* parent, How& how, const std::vector<uint32_t>* province_nums) const {
  if (!(seg.levels & level_bit(level))) {
    if (seg.untyped) return lookup(*seg.untyped, level, provinces, parent, how, province_nums);
    return {};
  }
  std::vector<uint32_t> nums;  // the provinces as code numbers (the caller may have them already)
  if (provinces && !province_nums) {
    for (const auto& p : *provinces) nums.push_back(code_num(p));
    province_nums = &nums;
  }
  const uint32_t parent_num = parent ? code_num(parent->code) : 0;
  auto in_scope = [&](uint32_t id) {
    const Entry& e = entries_[id];
    if (parent && e.parent_num != parent_num) return false;
    if (provinces && std::find(province_nums->begin(), province_nums->end(), e.province_num) == province_nums->end()) return false;
    return true;
  };
  std::string lv(level);
  const unsigned bit = level_bit(level);
  const size_t slot = bit == kProvince ? 0 : bit == kDistrict ? 3 : 6;
  if (!(seg.resolved & bit)) {
    seg.found[slot] = keys_.find(KeyTable::kExact, bit, seg.exact);
    seg.found[slot + 1] = keys_.find(KeyTable::kFolded, bit, seg.folded);
    seg.found[slot + 2] = keys_.find(KeyTable::kVariant, bit, seg.variant);
    if (bit == kProvince) seg.found[9] = keys_.find(KeyTable::kAlias, bit, seg.variant);
    seg.resolved |= bit;
  }
  auto try_ids = [&](const Ids* ids) {
    Ids out;
    if (ids)
      for (uint32_t id : *ids)
        if (in_scope(id)) out.push_back(id);
    return out;
  };
  Ids found;
  if (!(found = try_ids(seg.found[slot])).empty()) how = How::exact;
  else if (bit == kProvince && seg.found[9]) {
    found = *seg.found[9];  // "TP.HCM", "HN": short forms count as exact
    how = How::exact;
  }
  else if (!(found = try_ids(seg.found[slot + 1])).empty()) how = How::folded;
  else if (!(found = try_ids(seg.found[slot + 2])).empty()) how = How::variant;
  else if (!seg.numeric && fuzzy_budget(seg.variant) > 0) {
    // Small typos: scan the units in scope.
    const Ids* pool = nullptr;
    Ids merged;
    if (parent) {
      auto it = children_.find((parent->level == "district" ? "district/" : "province/") + parent->code);
      if (it != children_.end()) pool = &it->second;
    } else if (provinces) {
      for (const auto& p : *provinces)
        if (auto it = children_.find("in/" + p + "/" + lv); it != children_.end()) merged.insert(merged.end(), it->second.begin(), it->second.end());
      pool = &merged;
    } else if (level != "commune") {  // a commune with a typo and nothing around it is not worth 13,000 comparisons
      if (auto it = children_.find("all/" + lv); it != children_.end()) pool = &it->second;
    }
    if (pool) {
      size_t budget = fuzzy_budget(seg.variant), best = budget + 1;
      uint64_t sig = letter_sig(seg.variant);
      for (uint32_t id : *pool) {
        const Entry& e = entries_[id];
        if (e.unit->level != level || e.numeric || !sig_close(sig, e.sig, budget) || !in_scope(id)) continue;
        size_t d = edit_distance(seg.variant, e.variant, std::min(best, budget));
        if (d < best) {
          best = d;
          found.clear();
        }
        if (d == best && d <= budget) found.push_back(id);
      }
      if (found.size() > 1) {  // a tie: the closest with tone and quality marks ("Sà Phìn" → Xà Phìn, not Tả Phìn)
        size_t best_exact = SIZE_MAX;
        Ids closest;
        for (uint32_t id : found) {
          size_t d = edit_distance(seg.exact, entries_[id].exact, 8);
          if (d < best_exact) {
            best_exact = d;
            closest.clear();
          }
          if (d == best_exact) closest.push_back(id);
        }
        found.swap(closest);
      }
      if (!found.empty()) how = How::fuzzy;
    }
  }
  if (found.empty() && seg.untyped) return lookup(*seg.untyped, level, provinces, parent, how, province_nums);
  // A type word narrows the choice ("Thị trấn X" over "Xã X" in the same district); a wrong one
  // makes the match loose.
  if (!seg.type.empty() && !found.empty()) {
    Ids typed;
    for (uint32_t id : found)
      if (entries_[id].type_folded == seg.type) typed.push_back(id);
    if (!typed.empty()) found.swap(typed);
    else if (how < How::variant) how = How::variant;
  }
  return found;
}

std::vector<const UnitVersion*> AddressIndex::communes_from_districts(const std::vector<const UnitVersion*>& districts,
                                                                      std::string_view as_of) const {
  std::vector<const UnitVersion*> out;
  for (const auto* d : districts)
    for (const auto& t : g_->successors(d, as_of))
      if (t.unit->level == "commune" && std::find(out.begin(), out.end(), t.unit) == out.end()) out.push_back(t.unit);
  return out;
}

const UnitVersion* AddressIndex::new_province_of(const UnitVersion* u, std::string_view as_of) const {
  if (!u) return nullptr;
  std::string code = province_code_of(*g_, *u);
  if (const auto* p = g_->find("province", code, as_of)) return p;
  // An old province: follow it to the province it went into.
  for (const auto* v : g_->versions("province", code)) {
    auto t = g_->successors(v, as_of);
    if (!t.empty()) return t.front().unit;
  }
  return nullptr;
}

Conversion AddressIndex::finish(Conversion c, std::vector<const UnitVersion*> communes, std::string_view as_of,
                                bool district_missing, bool province_missing) const {
  double f = how_factor(c.old_province.how) * how_factor(c.old_district.how) * how_factor(c.old_commune.how);
  if (communes.empty()) {
    c.status = "unresolved";
    c.confidence = 0;
    const UnitVersion* known = c.old_district.unit ? c.old_district.unit : c.old_province.unit;
    c.province = new_province_of(known, as_of);
    if (known) {
      c.reason_code = "commune_missing";
      c.reason = "Không nhận ra xã/phường trong địa chỉ / No commune recognised in the address";
    } else if (c.reason_code.empty()) {
      c.reason_code = "no_unit";
      c.reason = "Không nhận ra đơn vị hành chính nào / No administrative unit recognised";
    }
    if (c.province) c.new_address = (c.street.empty() ? "" : c.street + ", ") + c.province->name;
    return c;
  }
  // Where the communes are on `as_of`.
  std::vector<const UnitVersion*> targets;
  std::set<std::string> origins;
  bool split = false;
  std::string split_note;
  for (const auto* u : communes) {
    origins.insert(u->code);
    auto t = g_->successors(u, as_of);
    std::set<std::string> codes;
    for (const auto& x : t) codes.insert(x.unit->code);
    if (codes.size() > 1) {
      split = true;
      split_note = u->name + " (" + u->code + ")";
    }
    for (const auto& x : t)
      if (std::none_of(targets.begin(), targets.end(), [&](const UnitVersion* y) { return y->code == x.unit->code; }))
        targets.push_back(x.unit);
  }
  if (targets.empty()) {
    c.status = "unresolved";
    c.reason_code = "not_valid_on_date";
    c.reason = "Đơn vị không còn/chưa tồn tại vào ngày " + std::string(as_of) + " / The unit does not exist on " + std::string(as_of);
    c.province = new_province_of(communes.front(), as_of);
    return c;
  }
  if (province_missing) f *= 0.9;
  if (district_missing) f *= 0.95;
  std::sort(targets.begin(), targets.end(), [](const UnitVersion* a, const UnitVersion* b) { return a->code < b->code; });
  if (targets.size() == 1) {
    c.status = "converted";
    c.commune = targets.front();
    c.province = new_province_of(c.commune, as_of);
    c.confidence = round2(f);
    c.new_address = (c.street.empty() ? "" : c.street + ", ") + c.commune->name + (c.province ? ", " + c.province->name : "");
    return c;
  }
  c.status = "ambiguous";
  c.candidates = targets;
  c.confidence = round2(f / static_cast<double>(targets.size()));
  std::string list;
  for (const auto* t : targets) list += (list.empty() ? "" : ", ") + t->name + " (" + t->code + ")";
  if (split && origins.size() == 1) {
    c.reason_code = "split_commune";
    c.reason = split_note + " được chia cho " + std::to_string(targets.size()) + " xã/phường mới: " + list +
               "; cần số nhà, đường để chọn / was split among " + std::to_string(targets.size()) +
               " new communes; the street is needed to choose";
  } else {
    c.reason_code = "same_name";
    c.reason = "Có " + std::to_string(origins.size()) + " đơn vị cùng tên; thiếu cấp trên để phân biệt: " + list +
               " / Several units share this name; give the district or province";
  }
  std::set<std::string> provinces;
  for (const auto* t : targets) provinces.insert(province_code_of(*g_, *t));
  if (provinces.size() == 1) c.province = new_province_of(targets.front(), as_of);
  if (c.province) c.new_address = (c.street.empty() ? "" : c.street + ", ") + c.province->name;
  return c;
}

// Parsed pieces by text (a segment depends only on its text and whether type words count).
struct AddressIndex::ParseCache::Impl {
  static constexpr size_t kMax = 100000;
  // Segments (with the key they were parsed from) under the hash of that key; a hash shared by
  // two keys only means the second is not cached.
  util::FlatIndex index{1u << 14};
  std::deque<std::pair<std::string, Segment>> segments;
  std::string key;
  static uint64_t hash(std::string_view k) { return std::hash<std::string_view>{}(k); }
  const Segment* find(const std::string& k) const {
    const uint32_t* at = index.find(hash(k));
    return at && segments[*at].first == k ? &segments[*at].second : nullptr;
  }
  // Moves `seg` in under `k` (unless the hash is taken); returns where it now is.
  Segment* add(const std::string& k, Segment&& seg) {
    uint64_t h = hash(k);
    if (index.find(h)) return nullptr;
    index.insert(h, static_cast<uint32_t>(segments.size()));
    return &segments.emplace_back(k, std::move(seg)).second;
  }
  void clear() {
    index.clear();
    segments.clear();
  }
};
AddressIndex::ParseCache::ParseCache() : impl_(std::make_unique<Impl>()) {}
AddressIndex::ParseCache::~ParseCache() = default;

Conversion AddressIndex::convert(std::string_view text, std::string_view as_of, ParseCache* cache) const {
  Conversion c;
  if (!text::valid_utf8(text)) {
    c.status = "unresolved";
    c.reason_code = "invalid_encoding";
    c.reason = "Không phải UTF-8 / Not valid UTF-8";
    return c;
  }
  // Segments parsed during this call stay where they are until it returns (the cache is only
  // emptied here, at the start). A piece is parsed once; it joins the cache when it named a unit
  // (street pieces, nearly all different, would only crowd it).
  std::deque<Segment> scratch;
  ParseCache::Impl* memo = cache ? cache->impl_.get() : nullptr;
  if (memo && memo->segments.size() >= ParseCache::Impl::kMax) memo->clear();
  std::vector<std::pair<std::string_view, const Segment*>> parsed;  // this call's pieces (type words allowed)
  auto parse = [&](std::string_view piece, bool allow_type) -> const Segment& {
    if (allow_type)
      for (const auto& [p, seg] : parsed)
        if (p.data() == piece.data() && p.size() == piece.size()) return *seg;
    const Segment* seg = nullptr;
    if (memo) {
      memo->key.assign(allow_type ? "t" : "n");
      memo->key += piece;
      seg = memo->find(memo->key);
    }
    if (!seg) seg = &scratch.emplace_back(parse_segment(piece, 0, allow_type));
    if (allow_type) parsed.emplace_back(piece, seg);
    return *seg;
  };
  // Keeps a piece that named a unit (moved from scratch; its keys were looked up already).
  auto keep = [&](std::string_view piece) {
    if (!memo) return;
    for (auto& [p, seg] : parsed) {
      if (p.data() != piece.data() || p.size() != piece.size()) continue;
      memo->key.assign("t");
      memo->key += piece;
      if (memo->find(memo->key)) return;  // it came from the cache
      if (Segment* kept = memo->add(memo->key, std::move(const_cast<Segment&>(*seg)))) seg = kept;
      return;
    }
  };
  auto pieces = pieces_of(text);
  while (!pieces.empty()) {  // "…, Việt Nam"
    const auto& s = parse(pieces.back(), false);
    if (!is_country(s.variant)) break;
    pieces.pop_back();
  }
  std::vector<const UnitVersion*> P, D, C;
  std::vector<std::string> pscope;
  size_t street_end = pieces.size();  // pieces [0, street_end) are the street
  auto units_of = [&](const Ids& ids) {
    std::vector<const UnitVersion*> v;
    for (uint32_t id : ids) v.push_back(entries_[id].unit);
    return v;
  };
  // Tries one piece at the level the pieces to its right leave open; false when it names no unit.
  auto match_piece = [&](std::string_view piece) {
    const Segment& seg = parse(piece, true);
    How how = How::none;
    Ids ids;
    if (P.empty() && D.empty()) {
      if (!(ids = lookup(seg, "province", nullptr, nullptr, how)).empty()) {
        P = units_of(ids);
        c.old_province = {P.front(), how};
        for (const auto* p : P)
          for (const auto& code : scope_.at(p->code))
            if (std::find(pscope.begin(), pscope.end(), code) == pscope.end()) pscope.push_back(code);
      } else if (!(ids = lookup(seg, "district", nullptr, nullptr, how)).empty()) {
        D = units_of(ids);
        c.old_district = {D.front(), how};
      } else if (!(ids = lookup(seg, "commune", nullptr, nullptr, how)).empty()) {
        C = units_of(ids);
        c.old_commune = {C.front(), how};
      } else {
        return false;
      }
    } else if (D.empty()) {
      if (!(ids = lookup(seg, "district", &pscope, nullptr, how)).empty()) {
        D = units_of(ids);
        c.old_district = {D.front(), how};
      } else if (!(ids = lookup(seg, "commune", &pscope, nullptr, how)).empty()) {
        C = units_of(ids);
        c.old_commune = {C.front(), how};
      } else {
        return false;
      }
    } else {
      for (const auto* d : D) {
        How h = How::none;
        auto more = lookup(seg, "commune", nullptr, d, h);
        if (!more.empty() && (ids.empty() || h < how)) {
          ids = more;
          how = h;
        } else if (!more.empty() && h == how) {
          ids.insert(ids.end(), more.begin(), more.end());
        }
      }
      if (ids.empty()) return false;
      C = units_of(ids);
      c.old_commune = {C.front(), how};
    }
    return true;
  };
  auto empty_piece = [&](std::string_view piece) {
    const Segment& seg = parse(piece, true);
    return seg.folded.empty() && seg.type.empty();
  };
  for (size_t k = pieces.size(); k-- > 0;) {
    if (!C.empty()) break;
    if (empty_piece(pieces[k])) {
      street_end = k;
      continue;
    }
    // "Bà Rịa - Vũng Tàu", "Văn Miếu - Quốc Tử Giám": a name may hold " - "; try it whole first.
    if (k > 0) {
      const char* gap_begin = pieces[k - 1].data() + pieces[k - 1].size();
      std::string_view gap(gap_begin, static_cast<size_t>(pieces[k].data() - gap_begin));
      if (gap.find('-') != std::string_view::npos && gap.find(',') == std::string_view::npos) {
        std::string_view joined(pieces[k - 1].data(), static_cast<size_t>(pieces[k].data() + pieces[k].size() - pieces[k - 1].data()));
        if (match_piece(joined)) {
          keep(joined);
          street_end = --k;
          continue;
        }
      }
    }
    if (!match_piece(pieces[k])) break;
    keep(pieces[k]);
    street_end = k;
  }
  // The street: everything before the first recognised piece, as written.
  if (street_end > 0) {
    size_t end = static_cast<size_t>(pieces[street_end - 1].data() - text.data()) + pieces[street_end - 1].size();
    c.street = text::nfc(trim_seps(text.substr(0, end)));
  }
  // Several units of one name: keep those of the given district's province, and prefer units
  // valid on the date when no district was given (a current two-level address).
  if (C.size() > 1 && D.empty()) {
    std::vector<const UnitVersion*> current;
    for (const auto* u : C)
      if (u->valid_on(as_of)) current.push_back(u);
    if (!current.empty()) C = current;
  }
  if (!C.empty()) c.old_commune.unit = C.front();
  if (C.empty()) C = communes_from_districts(D, as_of);  // a district that became one unit (Côn Đảo → đặc khu)
  bool district_missing = D.empty() && !C.empty() && !C.front()->valid_on(as_of) && C.front()->parent_code.size() == 3;
  bool province_missing = P.empty() && (!C.empty() || !D.empty());
  return finish(std::move(c), C, as_of, district_missing, province_missing);
}

Conversion AddressIndex::convert(const AddressCodes& in, std::string_view as_of) const {
  Conversion c;
  c.street = text::valid_utf8(in.street) ? text::nfc(text::trim(in.street)) : std::string(in.street);
  auto pick = [&](std::string_view level, const std::string& code) -> std::vector<const UnitVersion*> {
    // The latest version that ended by `as_of` (an old code), else the one valid on `as_of`.
    std::vector<const UnitVersion*> out;
    const UnitVersion* ended = nullptr;
    for (const auto* v : g_->versions(level, code))
      if (!v->valid_to.empty() && v->valid_to <= as_of) ended = v;
    if (ended) out.push_back(ended);
    else if (const auto* v = g_->find(level, code, as_of)) out.push_back(v);
    return out;
  };
  auto bad = [&](const std::string& code, const std::string& field) {
    c.status = "unresolved";
    c.reason_code = "unknown_code";
    c.reason = "Mã " + field + " không tồn tại: " + code + " / Unknown " + field + " code";
    return c;
  };
  std::vector<const UnitVersion*> P, D, C;
  if (!in.province.empty() && (P = pick("province", in.province)).empty()) return bad(in.province, "province");
  if (!in.district.empty() && (D = pick("district", in.district)).empty()) return bad(in.district, "district");
  if (!in.commune.empty()) {
    for (const auto* v : g_->versions("commune", in.commune)) {
      if (!D.empty() && v->parent_code != D.front()->code) continue;
      if (D.empty() && !P.empty()) {
        const auto& sc = scope_.count(P.front()->code) ? scope_.at(P.front()->code) : std::vector<std::string>{P.front()->code};
        std::string pc = province_code_of(*g_, *v);
        if (pc != P.front()->code && std::find(sc.begin(), sc.end(), pc) == sc.end()) continue;
      }
      C.push_back(v);
    }
    if (C.empty()) {
      if (g_->versions("commune", in.commune).empty()) return bad(in.commune, "commune");
      c.status = "unresolved";
      c.reason_code = "inconsistent_codes";
      c.reason = "Mã xã " + in.commune + " không thuộc huyện/tỉnh đã cho / The commune code is not in the given district or province";
      return c;
    }
    // Of several versions, the one that ended last before the date (old codes), else the current.
    const UnitVersion* chosen = nullptr;
    for (const auto* v : C)
      if (!v->valid_to.empty() && v->valid_to <= as_of) chosen = v;
    if (!chosen)
      for (const auto* v : C)
        if (v->valid_on(as_of)) chosen = v;
    if (!chosen) chosen = C.back();
    C = {chosen};
  }
  if (!D.empty() && !P.empty() && D.front()->parent_code != P.front()->code) {
    c.status = "unresolved";
    c.reason_code = "inconsistent_codes";
    c.reason = "Mã huyện " + in.district + " không thuộc tỉnh " + in.province + " / The district code is not in the given province";
    return c;
  }
  if (!P.empty()) c.old_province = {P.front(), How::code};
  if (!D.empty()) c.old_district = {D.front(), How::code};
  if (!C.empty()) c.old_commune = {C.front(), How::code};
  if (C.empty()) C = communes_from_districts(D, as_of);
  if (P.empty() && D.empty() && C.empty()) {
    c.status = "unresolved";
    c.reason_code = "no_unit";
    c.reason = "Không có mã đơn vị nào / No unit code given";
    return c;
  }
  return finish(std::move(c), C, as_of, false, false);
}

std::shared_ptr<const std::vector<AddressIndex::Probe>> AddressIndex::valid_entries(std::string_view as_of, std::string_view level) const {
  std::string key = std::string(as_of) + "/" + std::string(level);
  std::lock_guard lk(valid_mu_);
  if (auto it = valid_cache_.find(key); it != valid_cache_.end()) return it->second;
  auto ids = std::make_shared<std::vector<Probe>>();
  const unsigned want = level.empty() ? kAny : level_bit(level);
  const int day = yyyymmdd(as_of);
  auto len = [](const std::string& k) { return static_cast<uint16_t>(std::min<size_t>(k.size(), UINT16_MAX)); };
  auto first = [](const std::string& k) { return k.empty() ? '\0' : k[0]; };
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    // As UnitVersion::valid_on, on day numbers.
    if ((e.level_bit & want) && e.from <= day && day < e.to)
      ids->push_back(Probe{e.sig, e.fsig, i, len(e.exact), len(e.folded), len(e.variant), first(e.exact), first(e.folded),
                           first(e.variant), e.numeric});
  }
  if (valid_cache_.size() >= 16) valid_cache_.clear();
  valid_cache_.emplace(std::move(key), ids);
  return ids;
}

std::vector<AddressIndex::Hit> AddressIndex::search(std::string_view q, std::string_view as_of, std::string_view level,
                                                    size_t limit) const {
  std::vector<Hit> hits;
  if (!text::valid_utf8(q)) return hits;
  auto seg = parse_segment(trim_seps(q), 0);
  if (seg.folded.empty()) return hits;
  std::vector<std::string_view> qwords;
  for (size_t i = 0, s = 0; i <= seg.folded.size(); ++i)
    if (i == seg.folded.size() || seg.folded[i] == ' ') {
      if (i > s) qwords.emplace_back(std::string_view(seg.folded).substr(s, i - s));
      s = i + 1;
    }
  uint64_t qwords_sig = 0;  // letters of every query word: an entry lacking one cannot hold them all
  for (auto w : qwords) qwords_sig |= letter_sig(w);
  std::string alias_code, other_code;
  if (auto a = province_aliases().find(seg.variant); a != province_aliases().end()) alias_code = a->second;
  if (auto a = province_other_names().find(seg.variant); a != province_other_names().end()) other_code = a->second;
  if (seg.untyped)
    if (auto a = province_aliases().find(seg.untyped->variant); a != province_aliases().end()) alias_code = a->second;
  // Pass 1 scores by keys, prefixes and words; pass 2 (small typos, the costly part) only runs when
  // pass 1 found fewer than `limit` units.
  const auto valid = valid_entries(as_of, level);
  std::vector<char> hit(valid->size(), 0);
  auto scan = [&](bool fuzzy) {
    uint64_t sig = letter_sig(seg.variant), sig2 = seg.untyped ? letter_sig(seg.untyped->variant) : 0;
    // Whether the probe could score against `s` at all (sizes, first bytes, letter signatures), so
    // that most entries are ruled out without being read.
    auto may_match = [&](const Probe& p, const Segment& s, uint64_t qsig) {
      auto same = [](uint16_t len, char c0, const std::string& k) { return len == k.size() && (k.empty() || c0 == k[0]); };
      if (fuzzy) {
        size_t b = s.numeric ? 0 : fuzzy_budget(s.variant);
        return b && !p.numeric && sig_close(qsig, p.sig, b) && p.variant_len + b >= s.variant.size() &&
               s.variant.size() + b >= p.variant_len;
      }
      return same(p.exact_len, p.exact0, s.exact) || same(p.folded_len, p.folded0, s.folded) ||
             same(p.variant_len, p.variant0, s.variant) ||
             (!s.numeric && !s.folded.empty() && p.folded_len > s.folded.size() && p.folded0 == s.folded[0]);
    };
    const bool named_province = !alias_code.empty() || !other_code.empty();
    const bool by_words = qwords.size() > 1 && !seg.numeric;
    for (size_t k = 0; k < valid->size(); ++k) {
      if (hit[k]) continue;
      const Probe& p = (*valid)[k];
      if (!may_match(p, seg, sig) && !(seg.untyped && may_match(p, *seg.untyped, sig2)) &&
          !(!fuzzy && by_words && (qwords_sig & ~p.fsig) == 0) && !(!fuzzy && named_province))
        continue;
      const Entry& e = entries_[p.id];
      const UnitVersion& u = *e.unit;
      auto score_of = [&](const Segment& s, uint64_t qsig) -> std::pair<int, How> {
        if (fuzzy) {
          size_t b = s.numeric ? 0 : fuzzy_budget(s.variant);
          if (b && !e.numeric && sig_close(qsig, e.sig, b)) {
            size_t d = edit_distance(s.variant, e.variant, b);
            if (d <= b) return {d == 1 ? 50 : 40, How::fuzzy};
          }
          return {0, How::none};
        }
        // (The first-byte tests only skip a call to memcmp that could not succeed.)
        auto same = [](const std::string& a, const std::string& b) { return a.size() == b.size() && (a.empty() || a[0] == b[0]) && a == b; };
        if (same(e.exact, s.exact)) return {100, How::exact};
        if (same(e.folded, s.folded)) return {90, How::folded};
        if (same(e.variant, s.variant)) return {85, How::variant};
        if (!s.numeric && e.folded.size() > s.folded.size() && !s.folded.empty() && e.folded[0] == s.folded[0] &&
            e.folded[s.folded.size()] == ' ' && e.folded.compare(0, s.folded.size(), s.folded) == 0)
          return {70, How::folded};
        return {0, How::none};
      };
      auto [score, how] = score_of(seg, sig);
      if (seg.untyped) {
        auto [s2, h2] = score_of(*seg.untyped, sig2);
        if (s2 - 5 > score) {
          score = s2 - 5;
          how = h2;
        }
      }
      if (!fuzzy) {
        if (score == 0 && !alias_code.empty() && u.level == "province" && u.code == alias_code) {
          score = 100;
          how = How::exact;
        }
        if (score < 85 && !other_code.empty() && u.level == "province" && u.code == other_code) {
          score = 85;
          how = How::variant;
        }
        if (score == 0 && qwords.size() > 1 && !seg.numeric && (qwords_sig & ~e.fsig) == 0) {
          bool all = true;
          for (auto w : qwords) all &= e.folded.find(w) != std::string::npos;
          if (all) {
            score = 60;
            how = How::folded;
          }
        }
      }
      if (score == 0) continue;
      if (!seg.type.empty()) {
        if (e.type_folded == seg.type) score += 3;
        else if (!(seg.levels & level_bit(u.level))) score -= 20;
        else score -= 2;
      }
      hit[k] = 1;
      hits.push_back({&u, score, how});
    }
  };
  scan(false);
  // Typos are looked for only while the names found so far are too few and none of them is the name
  // itself (exact, folded or variant key): a typo match (score 50 or 40) never ranks above one.
  bool named = std::any_of(hits.begin(), hits.end(), [](const Hit& h) { return h.score >= 80; });
  if (hits.size() < limit && !named) scan(true);
  auto rank = [](const UnitVersion* u) { return u->level == "province" ? 0 : u->level == "district" ? 1 : 2; };
  std::sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) {
    if (a.score != b.score) return a.score > b.score;
    if (rank(a.unit) != rank(b.unit)) return rank(a.unit) < rank(b.unit);
    return a.unit->code < b.unit->code;
  });
  if (hits.size() > limit) hits.resize(limit);
  return hits;
}

// ---- CSV ---------------------------------------------------------------------------------------

CsvSummary convert_csv(const AddressIndex& index, std::istream& in, std::ostream& out, const CsvOptions& o) {
  CsvSummary sum;
  csv::Reader r(in);
  std::vector<std::string> header, row;
  if (!r.next(header)) return sum;
  if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0].erase(0, 3);  // BOM
  auto col = [&](const std::string& name, const char* field) -> int {
    if (name.empty()) return -1;
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return static_cast<int>(i);
    throw ApiError::bad_request("unknown_column", "Không có cột \"" + name + "\" trong dòng tiêu đề / No column \"" + name + "\" in the header",
                                field);
  };
  int text_col = col(o.column, "column");
  int p_col = col(o.province_column, "province_column"), d_col = col(o.district_column, "district_column"),
      c_col = col(o.commune_column, "commune_column"), s_col = col(o.street_column, "street_column");
  if (text_col < 0 && p_col < 0 && d_col < 0 && c_col < 0)
    throw ApiError::bad_request("missing_field", "Cần tên cột địa chỉ / Name the address column", "column");
  const size_t width = header.size();
  r.recover_broken_quotes(width);
  static const std::vector<std::string> kAppended = {"status", "new_address", "new_commune_code", "new_commune_name", "new_province_code",
                                                     "new_province_name", "confidence", "candidates", "reason"};
  {
    auto h = header;
    h.insert(h.end(), kAppended.begin(), kAppended.end());
    out << csv::format_row(h) << '\n';
  }
  std::map<std::string, size_t> reasons;
  std::string as_of = o.as_of;
  std::string line;
  size_t bytes = 0;
  // Files repeat units far more than they repeat addresses: results by codes are cached by the
  // codes, and free text reuses the pieces it parsed and looked up before (ParseCache). A cache of
  // whole text tails ("…, phường X, quận Y, Hà Nội") was tried and dropped: on the benchmark file
  // (777,000 different tails in 1,000,000 rows) it cost more than it saved (11.7 s against 9.5 s).
  // The caches are bounded, so memory stays constant on any file.
  enum Status : uint8_t { kConverted, kAmbiguous, kUnresolved };
  static constexpr std::string_view kStatusName[] = {"converted", "ambiguous", "unresolved"};
  struct Columns {
    Status status = kUnresolved;
    std::string reason_code;
    bool has_address = false;
    std::string tail;   // new_address without the street: ", Phường X, Tỉnh Y"
    std::string after;  // the columns after new_address, as CSV: ",commune_code,…,reason"
  };
  // A conversion's columns, all but new_address written as CSV once (a cache hit only appends them).
  auto columns_of = [](const Conversion& c) {
    Columns k;
    k.status = c.status == "converted" ? kConverted : c.status == "ambiguous" ? kAmbiguous : kUnresolved;
    k.reason_code = c.reason_code;
    k.has_address = !c.new_address.empty();
    if (k.has_address) k.tail = c.street.empty() ? ", " + c.new_address : c.new_address.substr(c.street.size());
    std::string candidates;
    for (const auto* u : c.candidates) candidates += (candidates.empty() ? "" : "|") + u->code;
    char conf[16];
    std::snprintf(conf, sizeof conf, "%.2f", c.confidence);
    static const std::string kNone;
    const std::string& commune_code = c.commune ? c.commune->code : kNone;
    const std::string& commune_name = c.commune ? c.commune->name : kNone;
    const std::string& province_code = c.province ? c.province->code : kNone;
    const std::string& province_name = c.province ? c.province->name : kNone;
    for (std::string_view v : {std::string_view(commune_code), std::string_view(commune_name), std::string_view(province_code),
                               std::string_view(province_name), std::string_view(conf), std::string_view(candidates),
                               std::string_view(c.reason)}) {
      k.after += ',';
      csv::append_field(k.after, v);
    }
    return k;
  };
  constexpr size_t kCacheMax = 200000;
  std::deque<Columns> store;  // entries never move
  std::unordered_map<std::string, uint32_t> code_cache;
  // Codes made of digits (nearly all) are cached under one integer: each part's length and value.
  util::FlatIndex number_cache(1u << 16);
  code_cache.reserve(4096);
  std::string key;
  uint64_t number_key = 0;
  auto clear_caches = [&] {
    if (store.size() < kCacheMax) return;
    store.clear();
    code_cache.clear();
    number_cache.clear();
  };
  auto remember = [&](std::unordered_map<std::string, uint32_t>& m, Columns&& k) {
    clear_caches();
    if (m.emplace(key, static_cast<uint32_t>(store.size())).second) store.push_back(std::move(k));
  };
  auto digits_part = [](std::string_view v, uint64_t& out) {
    if (v.size() > 5) return false;
    uint64_t n = 0;
    for (char ch : v) {
      if (ch < '0' || ch > '9') return false;
      n = n * 10 + static_cast<uint64_t>(ch - '0');
    }
    out = (out << 20) | (static_cast<uint64_t>(v.size()) << 17) | n;  // 99,999 < 2^17
    return true;
  };
  // Sets number_key (true) when all three codes are short digit strings, else the text key.
  auto codes_key = [&](std::string_view p, std::string_view d, std::string_view c) {
    number_key = 0;
    if (digits_part(p, number_key) && digits_part(d, number_key) && digits_part(c, number_key)) return true;
    key.assign(p);
    key += '/';
    key += d;
    key += '/';
    key += c;
    return false;
  };
  // The row being written: its columns (a cached entry or its own) and its street.
  Columns own;
  const Columns* cols = nullptr;
  std::string street;
  // Looks the codes up (setting the key for remember_codes); on a hit, sets cols and street.
  auto cached_codes = [&](std::string_view p, std::string_view d, std::string_view cm, std::string_view raw_street) {
    uint32_t at = 0;
    if (codes_key(p, d, cm)) {
      const uint32_t* hit = number_cache.find(number_key);
      if (!hit) return false;
      at = *hit;
    } else {
      auto it = code_cache.find(key);
      if (it == code_cache.end()) return false;
      at = it->second;
    }
    cols = &store[at];
    if (auto t = text::trim(raw_street); text::plainly_nfc(t)) street.assign(t);  // nearly always
    else street = text::valid_utf8(raw_street) ? text::nfc(t) : std::string(raw_street);
    return true;
  };
  auto remember_codes = [&](std::string_view p, std::string_view d, std::string_view cm, Columns&& k) {
    if (!codes_key(p, d, cm)) return remember(code_cache, std::move(k));
    clear_caches();
    if (number_cache.find(number_key)) return;
    number_cache.insert(number_key, static_cast<uint32_t>(store.size()));
    store.push_back(std::move(k));
  };
  auto unresolved = [&](const char* code, std::string reason) {
    Conversion c;
    c.status = "unresolved";
    c.reason_code = code;
    c.reason = std::move(reason);
    own = columns_of(c);
    cols = &own;
    street.clear();
  };
  // A conversion of this row alone: its columns become `own` (copied into a cache by the caller).
  auto converted = [&](const Conversion& c) {
    own = columns_of(c);
    cols = &own;
    street = c.street;
  };
  AddressIndex::ParseCache parsed;
  size_t counts[3] = {0, 0, 0};
  std::string new_address;
  while (r.next(row)) {
    ++sum.rows;
    cols = nullptr;
    if (r.error()) {
      unresolved("malformed_row", "Dòng CSV lỗi (dấu nháy không đóng) / Malformed CSV row (unterminated quote)");
    } else if (row.size() > width) {
      unresolved("malformed_row",
                 "Dòng có " + std::to_string(row.size()) + " cột, tiêu đề có " + std::to_string(width) + " / Row has more fields than the header");
    } else {
      auto at = [&](int i) -> std::string_view { return i >= 0 && static_cast<size_t>(i) < row.size() ? std::string_view(row[static_cast<size_t>(i)]) : std::string_view(); };
      if (text_col >= 0) {
        auto t = at(text_col);
        if (text::trim(t).empty()) {
          unresolved("empty", "Địa chỉ trống / Empty address");
        } else {
          converted(index.convert(t, as_of, &parsed));
        }
      } else {
        auto p = text::trim(at(p_col)), d = text::trim(at(d_col)), cm = text::trim(at(c_col));
        if (!cached_codes(p, d, cm, at(s_col))) {
          converted(index.convert(AddressCodes{std::string(p), std::string(d), std::string(cm), std::string(at(s_col))}, as_of));
          remember_codes(p, d, cm, Columns(own));
        }
      }
    }
    // The input columns as they were: the line itself when it was one plain line, else re-quoted.
    line.clear();
    if (auto raw = r.plain_line(); !raw.empty() && raw.find('\r') == std::string_view::npos) {
      line += raw;
      bytes += raw.size() + 1;
    } else {
      for (size_t i = 0; i < row.size(); ++i) {
        bytes += row[i].size() + 1;
        if (i) line += ',';
        csv::append_field(line, row[i]);
      }
    }
    for (size_t i = std::max<size_t>(row.size(), 1); i < width; ++i) line += ',';
    ++counts[cols->status];
    if (!cols->reason_code.empty()) ++reasons[cols->reason_code];
    line += ',';
    line += kStatusName[cols->status];
    line += ',';
    if (cols->has_address) {
      if (street.empty()) {
        new_address.assign(cols->tail, 2);
      } else {
        new_address = street;
        new_address += cols->tail;
      }
      csv::append_field(line, new_address);
    }
    line += cols->after;
    line += '\n';
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    if (o.progress && (sum.rows & 8191) == 0) o.progress(sum.rows, bytes);
  }
  sum.converted = counts[kConverted];
  sum.ambiguous = counts[kAmbiguous];
  sum.unresolved = counts[kUnresolved];
  if (o.progress) o.progress(sum.rows, bytes);
  sum.reasons.assign(reasons.begin(), reasons.end());
  std::sort(sum.reasons.begin(), sum.reasons.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return sum;
}

}  // namespace lt::units
