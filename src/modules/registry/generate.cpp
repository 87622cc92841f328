// Synthetic population on the real unit map (docs/REGISTRY.md, "Synthetic population").
#include "modules/registry/generate.hpp"

#include <algorithm>
#include <map>
#include <ostream>
#include <random>
#include <set>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "modules/registry/rules.hpp"
#include "platform/util/csv.hpp"
#include "platform/util/text.hpp"

namespace lt::registry {

namespace {

using units::UnitVersion;

// ---- randomness: every draw goes through these helpers (no std::*_distribution) ---------------

class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  uint64_t next() { return g_(); }
  // Uniform in [0, n); the modulo bias is below n / 2^64.
  uint64_t below(uint64_t n) { return n <= 1 ? 0 : next() % n; }
  // Uniform in [lo, hi], both included.
  int range(int lo, int hi) { return hi <= lo ? lo : lo + static_cast<int>(below(static_cast<uint64_t>(hi - lo) + 1)); }
  // Uniform in [0, 1) with 53 bits.
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  bool chance(double p) { return unit() < p; }

 private:
  std::mt19937_64 g_;
};

// A weighted choice: cumulative weights, binary search.
template <class T>
class Weighted {
 public:
  void add(T v, double w) {
    if (!(w > 0)) return;
    items_.push_back(std::move(v));
    cum_.push_back((cum_.empty() ? 0.0 : cum_.back()) + w);
  }
  const T& pick(Rng& r) const {
    double x = r.unit() * cum_.back();
    size_t i = static_cast<size_t>(std::upper_bound(cum_.begin(), cum_.end(), x) - cum_.begin());
    return items_[std::min(i, items_.size() - 1)];
  }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const T& item(size_t i) const { return items_[i]; }
  double weight(size_t i) const { return cum_[i] - (i ? cum_[i - 1] : 0.0); }
  double total() const { return cum_.empty() ? 0.0 : cum_.back(); }

 private:
  std::vector<T> items_;
  std::vector<double> cum_;
};

// A set of 64-bit keys (IDs, codes): open addressing, linear probing; far lighter than
// std::unordered_set for a million keys.
class KeySet {
 public:
  // False when the key was already there.
  bool insert(uint64_t k) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    for (size_t i = mix(k) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i] == kEmpty) {
        slots_[i] = k;
        ++size_;
        return true;
      }
      if (slots_[i] == k) return false;
    }
  }
  void reserve(size_t n) {
    while (slots_.size() < n * 2) grow();
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};  // never a key (keys are below 10^16)
  static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
  }
  void grow() {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, kEmpty);
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (uint64_t k : old)
      if (k != kEmpty) insert(k);
  }
  std::vector<uint64_t> slots_;
  size_t size_ = 0, mask_ = 0;
};

// ---- dates (proleptic Gregorian, days since 1970-01-01) ----------------------------------------

struct Ymd {
  int y = 0, m = 0, d = 0;
};

int64_t days_of(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Ymd ymd_of(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

void append_num(std::string& s, uint64_t v, int width) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  for (int i = n; i < width; ++i) s += '0';
  while (n) s += buf[--n];
}

std::string num(uint64_t v, int width = 0) {
  std::string s;
  append_num(s, v, width);
  return s;
}

// "YYYY", "YYYY-MM" or "YYYY-MM-DD" (month/day 0 = unknown).
std::string date_text(int y, int m, int d) {
  std::string s;
  append_num(s, static_cast<uint64_t>(y), 4);
  if (m) {
    s += '-';
    append_num(s, static_cast<uint64_t>(m), 2);
    if (d) {
      s += '-';
      append_num(s, static_cast<uint64_t>(d), 2);
    }
  }
  return s;
}

std::string date_text(int64_t days) {
  Ymd x = ymd_of(days);
  return date_text(x.y, x.m, x.d);
}

Ymd parse_today(const std::string& t) {
  auto p = rules::parse_partial_date(t);
  if (!p || p->day == 0 || t.size() != 10) throw std::invalid_argument("generate: today must be YYYY-MM-DD, got '" + t + "'");
  return {p->year, p->month, p->day};
}

// ---- names ---------------------------------------------------------------------------------------

struct Share {
  const char* name;
  double weight;
};

// The commonly cited shares (per cent of the population). Hoàng/Huỳnh and Vũ/Võ are one name each
// in their pairs (northern and southern pronunciation); their split here is our estimate.
constexpr Share kTopFamilies[] = {
    {"Nguyễn", 38.0}, {"Trần", 11.0}, {"Lê", 9.5}, {"Phạm", 7.0}, {"Hoàng", 3.2}, {"Huỳnh", 1.8}, {"Phan", 4.5},
    {"Vũ", 2.2},      {"Võ", 1.8},    {"Đặng", 2.0}, {"Bùi", 2.0}, {"Đỗ", 1.4},    {"Hồ", 1.3},    {"Ngô", 1.3},
    {"Dương", 1.0},   {"Lý", 0.5},
};
// The rest, relative weights within the remaining share.
constexpr Share kRestFamilies[] = {
    {"Trịnh", 0.8}, {"Đinh", 0.8},  {"Đào", 0.7},  {"Đoàn", 0.7}, {"Mai", 0.6},   {"Trương", 0.6}, {"Lâm", 0.5},
    {"Hà", 0.5},    {"Cao", 0.5},   {"Lương", 0.5}, {"Tô", 0.4},   {"Tạ", 0.4},    {"Lưu", 0.4},    {"Chu", 0.3},
    {"Vương", 0.3}, {"Phùng", 0.3}, {"Kiều", 0.2}, {"Quách", 0.2}, {"Thái", 0.2},  {"Triệu", 0.2},  {"Châu", 0.2},
    {"La", 0.15},   {"Tôn", 0.15},  {"Khổng", 0.1}, {"Lã", 0.1},   {"Từ", 0.1},    {"Nghiêm", 0.1}, {"Âu", 0.1},
    {"Thân", 0.1},  {"Mạc", 0.1},   {"Đàm", 0.1},  {"Giang", 0.1}, {"Hứa", 0.1},   {"Tăng", 0.1},   {"Doãn", 0.1},
    {"Diệp", 0.1},  {"Lại", 0.1},   {"Tống", 0.1}, {"Khúc", 0.05}, {"Kha", 0.05},  {"Hàn", 0.05},   {"Bạch", 0.05},
    {"Ninh", 0.05}, {"Mẫn", 0.05},  {"Ông", 0.05}, {"Quan", 0.05}, {"Văn", 0.05},  {"Lục", 0.05},
};

// Names whose frequency changes with the generation: weights for people born before 1960,
// 1960–1989 and from 1990.
struct Named {
  const char* name;
  double w[3];
};

constexpr Named kMaleMiddle[] = {
    {"Văn", {60, 40, 15}}, {"Đức", {6, 8, 10}},  {"Hữu", {6, 5, 3}},   {"Xuân", {5, 4, 1}},  {"Đình", {5, 4, 1}},
    {"Công", {4, 4, 2}},   {"Ngọc", {3, 4, 1}},  {"Quang", {3, 6, 7}}, {"Minh", {3, 7, 12}}, {"Thành", {2, 3, 4}},
    {"Bá", {2, 1, 0.5}},   {"Trọng", {2, 1, 1}}, {"Khắc", {1, 1, 0.5}}, {"Viết", {1, 1, 0.5}}, {"Thanh", {1, 5, 2}},
    {"Quốc", {1, 4, 5}},   {"Anh", {0.5, 3, 6}}, {"Tuấn", {0.5, 2, 5}}, {"Trung", {1, 2, 4}},  {"Mạnh", {1, 2, 1}},
    {"Duy", {0.5, 2, 4}},  {"Hoàng", {0.5, 1, 6}}, {"Gia", {0, 0.5, 7}}, {"Bảo", {0, 0.5, 5}}, {"Đăng", {0.5, 1, 3}},
    {"Nhật", {0, 1, 3}},   {"Việt", {0.5, 1, 3}}, {"Hải", {0.5, 1, 2}}, {"Tiến", {1, 1, 2}},  {"Khánh", {0, 1, 2}},
};
constexpr Named kFemaleMiddle[] = {
    {"Thị", {85, 60, 20}}, {"Ngọc", {4, 7, 10}}, {"Thu", {3, 6, 6}},   {"Kim", {3, 4, 2}},   {"Thanh", {2, 6, 5}},
    {"Hồng", {2, 5, 2}},   {"Bích", {1, 2, 1}},  {"Minh", {0.5, 3, 6}}, {"Phương", {0.5, 3, 6}}, {"Thúy", {0.5, 2, 2}},
    {"Mỹ", {0.5, 2, 3}},   {"Bảo", {0, 0.5, 6}}, {"Khánh", {0, 0.5, 6}}, {"Hà", {0, 1, 4}},   {"Thùy", {0, 1, 4}},
    {"Gia", {0, 0, 4}},    {"Mai", {0.5, 1, 4}}, {"Quỳnh", {0, 1, 4}}, {"Hoài", {0.5, 1, 3}}, {"Diệu", {0, 1, 3}},
    {"Như", {0.5, 1, 3}},  {"Tuệ", {0, 0, 2}},   {"An", {0, 0.5, 2}},
};
constexpr Named kMaleGiven[] = {
    {"An", {2, 2, 4}},     {"Anh", {2, 5, 6}},    {"Bảo", {0, 1, 5}},    {"Bình", {4, 3, 1}},   {"Chiến", {3, 2, 0.5}},
    {"Công", {3, 1, 0.5}}, {"Cường", {3, 4, 2}},  {"Dũng", {4, 5, 2}},   {"Duy", {1, 3, 4}},    {"Dương", {1, 2, 3}},
    {"Đạt", {1, 3, 5}},    {"Định", {3, 1, 0.5}}, {"Đông", {2, 2, 1}},   {"Đức", {3, 4, 4}},    {"Giang", {1, 2, 2}},
    {"Hải", {3, 5, 4}},    {"Hào", {1, 1, 2}},    {"Hậu", {2, 2, 1}},    {"Hiếu", {1, 3, 4}},   {"Hiệp", {2, 2, 1}},
    {"Hòa", {4, 3, 1}},    {"Hoàng", {1, 3, 4}},  {"Huy", {1, 3, 6}},    {"Hùng", {5, 5, 2}},   {"Hưng", {3, 3, 3}},
    {"Khang", {0, 0.5, 4}}, {"Khánh", {1, 2, 3}}, {"Khoa", {0.5, 1, 4}}, {"Khôi", {0, 0.5, 4}}, {"Kiên", {1, 3, 3}},
    {"Lâm", {1, 2, 3}},    {"Long", {2, 4, 4}},   {"Lộc", {2, 2, 2}},    {"Lợi", {3, 2, 0.5}},  {"Mạnh", {2, 3, 2}},
    {"Minh", {3, 5, 6}},   {"Nam", {3, 4, 5}},    {"Nghĩa", {3, 3, 2}},  {"Nhân", {2, 2, 2}},   {"Phát", {0.5, 1, 4}},
    {"Phong", {2, 3, 3}},  {"Phúc", {2, 2, 5}},   {"Phương", {2, 2, 1}}, {"Quân", {1, 3, 5}},   {"Quang", {3, 4, 3}},
    {"Quý", {3, 2, 1}},    {"Sang", {1, 2, 2}},   {"Sơn", {3, 5, 3}},    {"Tài", {3, 2, 3}},    {"Tâm", {2, 3, 2}},
    {"Thái", {2, 2, 2}},   {"Thắng", {3, 4, 2}},  {"Thành", {4, 5, 4}},  {"Thiện", {1, 2, 3}},  {"Thịnh", {2, 3, 3}},
    {"Thuận", {3, 2, 1}},  {"Tiến", {3, 4, 2}},   {"Tín", {1, 2, 2}},    {"Toàn", {2, 3, 3}},   {"Trí", {1, 2, 4}},
    {"Trọng", {2, 2, 2}},  {"Trung", {3, 4, 3}},  {"Tú", {2, 3, 3}},     {"Tuấn", {2, 6, 4}},   {"Tùng", {2, 3, 3}},
    {"Việt", {2, 3, 3}},   {"Vinh", {3, 3, 2}},   {"Vũ", {1, 2, 3}},     {"Xuân", {3, 2, 1}},   {"Tý", {2, 0, 0}},
    {"Sửu", {2, 0, 0}},    {"Tư", {2, 0.5, 0}},   {"Lành", {2, 0.5, 0}}, {"Khải", {1, 1, 2}},   {"Đăng", {0.5, 1, 3}},
};
constexpr Named kFemaleGiven[] = {
    {"An", {1, 2, 4}},     {"Anh", {2, 4, 6}},    {"Ánh", {2, 3, 2}},    {"Bích", {3, 2, 1}},   {"Chi", {1, 2, 4}},
    {"Cúc", {4, 1, 0}},    {"Dung", {3, 4, 2}},   {"Duyên", {2, 3, 3}},  {"Giang", {2, 3, 3}},  {"Hà", {3, 4, 4}},
    {"Hạnh", {4, 4, 2}},   {"Hằng", {3, 5, 3}},   {"Hân", {0, 0.5, 4}},  {"Hiền", {3, 4, 3}},   {"Hoa", {5, 4, 2}},
    {"Hồng", {4, 4, 2}},   {"Huệ", {4, 3, 1}},    {"Hương", {4, 5, 3}},  {"Huyền", {2, 4, 3}},  {"Lan", {5, 4, 2}},
    {"Liên", {4, 3, 1}},   {"Linh", {1, 4, 6}},   {"Loan", {3, 3, 1}},   {"Lụa", {3, 1, 0}},    {"Mai", {4, 4, 3}},
    {"Mận", {3, 0.5, 0}},  {"My", {0.5, 2, 5}},   {"Nga", {4, 4, 2}},    {"Ngân", {1, 3, 4}},   {"Ngọc", {2, 3, 4}},
    {"Nhi", {0.5, 1, 5}},  {"Nhung", {3, 4, 2}},  {"Nở", {3, 0.5, 0}},   {"Oanh", {3, 3, 1}},   {"Phương", {3, 4, 4}},
    {"Quyên", {1, 2, 3}},  {"Quỳnh", {1, 3, 4}},  {"Tâm", {3, 3, 2}},    {"Thảo", {2, 5, 5}},   {"Thanh", {4, 3, 2}},
    {"Thắm", {3, 2, 1}},   {"Thơm", {3, 1, 0}},   {"Thu", {4, 4, 2}},    {"Thủy", {4, 5, 2}},   {"Thúy", {3, 4, 2}},
    {"Trang", {1, 5, 6}},  {"Trâm", {1, 2, 4}},   {"Tuyết", {4, 3, 1}},  {"Uyên", {0.5, 2, 4}}, {"Vân", {4, 4, 3}},
    {"Vy", {0, 1, 6}},     {"Xuân", {4, 3, 1}},   {"Yến", {3, 4, 3}},    {"Nguyệt", {3, 3, 2}}, {"Diệp", {1, 1, 2}},
    {"Tú", {1, 2, 3}},     {"Thư", {0.5, 2, 5}},  {"Hậu", {2, 2, 1}},    {"Lài", {3, 1, 0}},    {"Đào", {3, 2, 1}},
};

int cohort_of(int year) { return year < 1960 ? 0 : year < 1990 ? 1 : 2; }

// ---- ethnic groups -------------------------------------------------------------------------------

enum class Style {
  generic,     // family + middle + given (Kinh and most groups)
  mong,        // family + A/Seo/Mí (men) or Thị (women) + given: "Giàng A Páo", "Vàng Thị Mỷ"
  khmer,       // family + given (men), family + Thị + given (women): "Thạch Sóc", "Danh Thị Sa Ly"
  clan_first,  // Gia-rai: clan + given: "Ksor Phước", "Rơ Châm H'Yên"
  ede,         // Ê-đê: Y/H' + given + clan (the mother's): "Y Bhin Niê", "H'Hen Êban"
  a_y,         // Ba-na, Xơ-đăng: A (men) / Y (women) + given: "A Thút", "Y Hoa"
  k_ka,        // Cơ-ho: K'given (men), Ka + given (women): "K'Brơi", "Ka Huyền"
};
enum Village { v_region, v_ban, v_buon, v_lang };

struct Ethnic {
  const char* name;
  double p;  // share of the group's lineages named in the group's own way
  Style style;
  std::vector<const char*> families;  // never one of kTopFamilies (their shares are targets)
  std::vector<const char*> male, female;
  Village village = v_region;
};

const std::vector<Ethnic>& ethnics() {
  static const std::vector<Ethnic> e = {
      {"Kinh", 0, Style::generic, {}, {}, {}},
      {"Tày", 0.5, Style::generic, {"Nông", "Bế", "Ma", "Lục", "Hà", "Lương", "Triệu", "Đàm"}, {}, {}},
      {"Thái", 0.7, Style::generic, {"Lò", "Lường", "Cầm", "Quàng", "Vi", "Hà", "Lộc", "Tòng"}, {}, {}, v_ban},
      {"Mường", 0.5, Style::generic, {"Đinh", "Quách", "Hà", "Xa", "Bạch"}, {}, {}},
      {"Khơ-me", 0.7, Style::khmer, {"Thạch", "Danh", "Sơn", "Kim", "Lâm", "Châu", "Trầm"},
       {"Sóc", "Phol", "Sa Rin", "Kha", "Sa Ương", "Rết", "Chanh", "Sà Rết", "Sơn", "Thươl"},
       {"Sa Ly", "Sô Phia", "Sa Rết", "Đa Ni", "Sô Phal", "Thi Da", "Sóc Thia", "Chanh Thu", "Sa Rây", "Mỹ"}},
      {"Mông", 0.9, Style::mong, {"Giàng", "Vàng", "Sùng", "Thào", "Hạng", "Mùa", "Lầu", "Chảo", "Vừ"},
       {"Páo", "Dình", "Chu", "Sử", "Lử", "Pao", "Chứ", "Tủa", "Dế", "Pà", "Sính", "Chá", "Mua", "Vảng"},
       {"Mai", "Dợ", "Mỷ", "Pằng", "Say", "Chá", "Xúa", "Dua", "Súa", "Sua", "Ly", "Của"}, v_ban},
      {"Nùng", 0.5, Style::generic, {"Nông", "Lăng", "Vi", "Chu", "Mã", "Lương", "Hứa"}, {}, {}},
      {"Hoa", 0.7, Style::generic, {"Trương", "Lâm", "Quách", "Châu", "Lưu", "Mã", "Diệp", "Tăng", "Hứa"}, {}, {}},
      {"Dao", 0.7, Style::generic, {"Triệu", "Bàn", "Chảo", "Phùng", "Tẩn"}, {}, {}, v_ban},
      {"Gia-rai", 0.9, Style::clan_first, {"Ksor", "Rơ Châm", "Siu", "Rơ Mah", "Nay", "Kpă", "Rơ Lan", "Puih", "Rah Lan"},
       {"Phước", "Blếch", "Thu", "Dơn", "Hyuh", "Kai", "Mlô", "Jút", "Bưng", "Rin"},
       {"H'Prông", "H'Mai", "H'Lan", "H'Nhen", "H'Yên", "H'Ngăn", "H'Bla", "H'Dơk"}, v_lang},
      {"Ê-đê", 0.9, Style::ede, {"Niê", "Êban", "Mlô", "Byă", "Adrơng", "Ayun", "Knul", "Hwing", "Êñuôl", "Niê Kdăm", "Buôn Yă", "Ksơr"},
       {"Bhin", "Ngông", "Moan", "Blơ", "Jut", "Kông", "Tlam", "Lul", "Wơn", "Thuột", "Dhăm", "Nuê"},
       {"Hen", "Linh", "Bla", "Lan", "Mai", "Rin", "Jen", "Nhi", "Wiê", "Kim"}, v_buon},
      {"Ba-na", 0.8, Style::a_y, {},
       {"Thút", "Sanh", "Pơ", "Blúi", "Hyun", "Nhút", "Đeng", "Dơk", "Lâm", "Kiên", "Quân"},
       {"Hoa", "Nhàn", "Blưn", "Hlinh", "Bứt", "Nga", "Phương", "Mai"}, v_lang},
      {"Xơ-đăng", 0.8, Style::a_y, {},
       {"Thút", "Sanh", "Pơ", "Blúi", "Hyun", "Nhút", "Đeng", "Dơk", "Lâm", "Kiên", "Quân"},
       {"Hoa", "Nhàn", "Blưn", "Hlinh", "Bứt", "Nga", "Phương", "Mai"}, v_lang},
      {"Sán Chay", 0.3, Style::generic, {"Đàm", "La", "Lương"}, {}, {}},
      {"Cơ-ho", 0.8, Style::k_ka, {}, {"Brơi", "Măng", "Tiếu", "Bình", "Sơn", "Lang", "Vinh", "Đoan"},
       {"Huyền", "Sao", "Liễng", "Hòa", "Thi", "Dung", "Bớp", "Nhân"}},
      {"Chăm", 0.6, Style::generic, {"Đàng", "Báo", "Thuận", "Quảng", "Từ"}, {}, {}},
      {"Sán Dìu", 0.4, Style::generic, {"Diệp", "Lưu", "Tằng", "Trương"}, {}, {}},
      {"Hrê", 0.6, Style::generic, {"Đinh"}, {}, {}},
      {"Mnông", 0.6, Style::generic, {"Điểu"}, {}, {}, v_buon},
      {"Ra-glai", 0.8, Style::generic, {"Chamaléa", "Pinăng", "Katơr", "Mấu"}, {}, {}},
      {"Xtiêng", 0.6, Style::generic, {"Điểu"}, {}, {}},
      {"Bru-Vân Kiều", 0, Style::generic, {}, {}, {}},
      {"Giáy", 0.5, Style::generic, {"Sần", "Lù", "Vàng"}, {}, {}, v_ban},
      {"Cơ-tu", 0.8, Style::generic, {"Alăng", "Bhling", "Zơrâm", "Hôih", "Bríu", "Clâu", "Pơloong"}, {}, {}},
      {"Mạ", 0, Style::generic, {}, {}, {}},
      {"Khơ-mú", 0.5, Style::generic, {"Lò", "Vi", "Cụt"}, {}, {}, v_ban},
      {"Co", 0.5, Style::generic, {"Đinh"}, {}, {}},
      {"Tà-ôi", 0, Style::generic, {}, {}, {}},
      {"Chơ-ro", 0.5, Style::generic, {"Điểu"}, {}, {}},
      {"Hà Nhì", 0.6, Style::generic, {"Pờ", "Chu", "Lò"}, {}, {}, v_ban},
      {"Chu-ru", 0.5, Style::generic, {"Touneh", "Ma"}, {}, {}},
  };
  return e;
}

size_t ethnic_index(std::string_view name) {
  const auto& e = ethnics();
  for (size_t i = 0; i < e.size(); ++i)
    if (name == e[i].name) return i;
  throw std::logic_error("generate: unknown ethnic group");
}

// Minorities by province of the old (pre-2025) map, per cent of its population, rounded from the
// 2019 census; Kinh make up the rest. Provinces not listed: Kinh only.
struct ProvinceMix {
  int province;
  std::vector<std::pair<const char*, double>> groups;
};
const std::vector<ProvinceMix>& province_mixes() {
  static const std::vector<ProvinceMix> m = {
      {2, {{"Mông", 33}, {"Tày", 23}, {"Dao", 15}, {"Nùng", 10}, {"Giáy", 2}}},
      {4, {{"Tày", 41}, {"Nùng", 30}, {"Mông", 10}, {"Dao", 10}}},
      {6, {{"Tày", 52}, {"Dao", 17}, {"Nùng", 9}, {"Mông", 7}}},
      {8, {{"Tày", 25}, {"Dao", 11}, {"Sán Chay", 8}, {"Mông", 3}, {"Nùng", 2}}},
      {10, {{"Mông", 25}, {"Tày", 15}, {"Dao", 15}, {"Giáy", 5}, {"Nùng", 4}}},
      {11, {{"Thái", 38}, {"Mông", 35}, {"Khơ-mú", 3}}},
      {12, {{"Thái", 33}, {"Mông", 24}, {"Dao", 14}, {"Hà Nhì", 6}}},
      {14, {{"Thái", 54}, {"Mông", 16}, {"Mường", 8}, {"Khơ-mú", 1}}},
      {15, {{"Tày", 19}, {"Dao", 11}, {"Mông", 11}, {"Thái", 6}, {"Mường", 1}}},
      {17, {{"Mường", 63}, {"Thái", 4}, {"Tày", 3}, {"Dao", 2}}},
      {19, {{"Tày", 11}, {"Nùng", 6}, {"Sán Dìu", 4}, {"Dao", 2}, {"Sán Chay", 2}}},
      {20, {{"Nùng", 42}, {"Tày", 35}, {"Dao", 4}}},
      {22, {{"Dao", 5}, {"Tày", 3}, {"Sán Dìu", 2}, {"Sán Chay", 1}}},
      {24, {{"Nùng", 5}, {"Tày", 3}, {"Sán Chay", 2}, {"Sán Dìu", 1}}},
      {25, {{"Mường", 14}, {"Dao", 1}}},
      {26, {{"Sán Dìu", 3}}},
      {37, {{"Mường", 2}}},
      {38, {{"Mường", 10}, {"Thái", 7}, {"Mông", 0.5}}},
      {40, {{"Thái", 10}, {"Khơ-mú", 1.3}, {"Mông", 1.1}}},
      {44, {{"Bru-Vân Kiều", 2.5}}},
      {45, {{"Bru-Vân Kiều", 9}, {"Tà-ôi", 3}}},
      {46, {{"Tà-ôi", 1.5}, {"Cơ-tu", 1}}},
      {48, {{"Cơ-tu", 0.3}}},
      {49, {{"Cơ-tu", 4}, {"Xơ-đăng", 3}}},
      {51, {{"Hrê", 10}, {"Co", 2.5}, {"Xơ-đăng", 1}}},
      {52, {{"Ba-na", 1.5}, {"Hrê", 0.6}}},
      {54, {{"Ê-đê", 3}, {"Chăm", 2.5}, {"Ba-na", 0.5}}},
      {56, {{"Ra-glai", 4}}},
      {58, {{"Chăm", 12}, {"Ra-glai", 11}}},
      {60, {{"Chăm", 3}, {"Ra-glai", 1.5}, {"Hoa", 0.8}}},
      {62, {{"Xơ-đăng", 30}, {"Ba-na", 13}, {"Gia-rai", 4}}},
      {64, {{"Gia-rai", 30}, {"Ba-na", 11}}},
      {66, {{"Ê-đê", 18}, {"Nùng", 4}, {"Tày", 3}, {"Mnông", 2}, {"Gia-rai", 1.5}, {"Mông", 1.5}, {"Dao", 1}}},
      {67, {{"Mnông", 10}, {"Nùng", 7}, {"Mông", 6}, {"Tày", 5}, {"Dao", 3}, {"Ê-đê", 1}}},
      {68, {{"Cơ-ho", 14}, {"Mạ", 2}, {"Nùng", 2}, {"Chu-ru", 2}, {"Tày", 1}}},
      {70, {{"Xtiêng", 9}, {"Khơ-me", 2}, {"Tày", 2}, {"Nùng", 2}, {"Mnông", 1}}},
      {72, {{"Khơ-me", 0.5}, {"Chăm", 0.3}, {"Hoa", 0.3}}},
      {74, {{"Hoa", 0.7}, {"Khơ-me", 0.5}, {"Tày", 0.3}, {"Nùng", 0.3}}},
      {75, {{"Hoa", 3}, {"Nùng", 1.5}, {"Tày", 1}, {"Chơ-ro", 0.6}}},
      {77, {{"Hoa", 1.2}, {"Chơ-ro", 0.9}}},
      {79, {{"Hoa", 4.5}, {"Khơ-me", 0.6}, {"Chăm", 0.1}}},
      {84, {{"Khơ-me", 32}, {"Hoa", 0.5}}},
      {86, {{"Khơ-me", 2}}},
      {89, {{"Khơ-me", 4}, {"Hoa", 0.8}, {"Chăm", 0.7}}},
      {91, {{"Khơ-me", 13}, {"Hoa", 2}}},
      {92, {{"Khơ-me", 1.5}, {"Hoa", 1}}},
      {93, {{"Khơ-me", 3}, {"Hoa", 0.5}}},
      {94, {{"Khơ-me", 30}, {"Hoa", 6}}},
      {95, {{"Khơ-me", 8}, {"Hoa", 2}}},
      {96, {{"Khơ-me", 2.5}, {"Hoa", 0.8}}},
  };
  return m;
}

// ---- places --------------------------------------------------------------------------------------

constexpr const char* kStreets[] = {
    "Trần Phú",         "Lê Lợi",          "Nguyễn Huệ",       "Hai Bà Trưng",     "Lý Thường Kiệt",   "Quang Trung",
    "Nguyễn Trãi",      "Lê Duẩn",         "Điện Biên Phủ",    "Hùng Vương",       "Trần Hưng Đạo",    "Lê Lai",
    "Nguyễn Du",        "Bà Triệu",        "Phan Chu Trinh",   "Phan Bội Châu",    "Nguyễn Thái Học",  "Lê Hồng Phong",
    "Nguyễn Văn Cừ",    "Ngô Quyền",       "Lý Thái Tổ",       "Trần Quốc Toản",   "Nguyễn Chí Thanh", "Võ Thị Sáu",
    "Nguyễn Thị Minh Khai", "Cách Mạng Tháng Tám", "Lạc Long Quân", "Âu Cơ",       "Lê Thánh Tông",    "Trường Chinh",
    "Tôn Đức Thắng",    "Nguyễn Văn Linh", "Võ Văn Kiệt",      "Phạm Văn Đồng",    "Hoàng Diệu",       "Hoàng Hoa Thám",
    "Nguyễn Đình Chiểu", "Đinh Tiên Hoàng", "Lý Tự Trọng",     "Chu Văn An",       "Nguyễn Tất Thành", "Lê Văn Sỹ",
    "Ba Tháng Hai",     "Ba Mươi Tháng Tư", "Nguyễn Công Trứ", "Phan Đình Phùng",  "Trần Nhân Tông",   "Lê Quý Đôn",
    "Yết Kiêu",         "Mạc Đĩnh Chi",    "Tô Hiến Thành",    "Hàm Nghi",         "Nguyễn Khuyến",    "Huỳnh Thúc Kháng",
    "Nguyễn Trung Trực", "Trương Định",    "Lê Văn Tám",       "Nguyễn Biểu",      "Hoàng Văn Thụ",    "Nguyễn Lương Bằng",
    "Kim Đồng",         "Văn Cao",         "Xuân Thủy",        "Tố Hữu",           "Nguyễn Văn Trỗi",  "Cô Giang",
    "Phạm Ngũ Lão",     "Trần Khánh Dư",   "An Dương Vương",   "Hồ Tùng Mậu",      "Lương Văn Can",    "Bạch Đằng",
};
constexpr const char* kHamlets[] = {
    "Đông",     "Tây",     "Nam",      "Bắc",      "Trung",     "Thượng",   "Hạ",        "Đoài",     "Đình",
    "Chợ",      "Giữa",    "Yên Bình", "An Lạc",   "Phú Xuân",  "Tân Lập",  "Hòa Bình",  "Đồng Tâm", "Quyết Tiến",
    "Thắng Lợi", "Tiền Phong", "Thống Nhất", "Đoàn Kết", "Văn Minh", "Tân Thành", "Phú Lộc", "Hưng Long", "Phú Mỹ",
    "Bình An",  "Đại Đồng", "Hồng Phong", "Minh Khai", "Gò",       "Đồng Lạc", "Xuân Lan",  "Kim Sơn",  "Liên Hiệp",
    "Tiến Bộ",  "Trung Hòa", "Cầu",     "Đông Thượng", "Tây Hạ",  "Nội",      "Ngoại",     "Lương Điền", "Phúc Lâm",
};
constexpr const char* kSouthHamlets[] = {
    "Tân Hòa",  "Phú Lợi",  "Bình Thạnh", "Long Hưng", "An Thới", "Mỹ Phước", "Thạnh Lợi", "Hòa Bình", "Tân Phú",
    "Vĩnh Hòa", "Phước Lộc", "Bình Hòa",  "Long Thạnh", "Mỹ Hòa", "Thới An",   "Tân Quy",   "Bến Đình", "Rạch Gốc",
    "Kênh Xáng", "Trà Canh", "Sóc Xoài",  "Tà Đùng",    "Giồng Trôm", "Cây Dương", "Xẻo Rô",  "Vàm Láng", "Bàu Sen",
};
constexpr const char* kBan[] = {"Mường", "Na Hú", "Hua Pù", "Lác", "Pom Coọng", "Ten", "Noong", "Pá Khoang", "Hốc",
                                "Nà Tấu", "Cát Cát", "Lao Chải", "Tả Van", "Sín Chải", "Pả Vi", "Lũng Cẩm", "Nậm Cang"};
constexpr const char* kBuon[] = {"Ako Dhông", "Kô Sir", "Trí A", "Tría", "Jun", "Ea Kmat", "Cuôr Đăng", "Kmrơng Prông",
                                 "Ea Nao", "Dhăm", "Đrăng Phok", "Ja Wầm"};
constexpr const char* kLang[] = {"Plei Ốp", "Kon Klor", "Đê Tar", "Kon Rờ Bàng", "Plei Phun", "Plei Tơ Nghia", "Kon Jơ Ri",
                                 "Đăk Rơ Wa", "Plei Kép", "Kon Tu Rằng"};

enum Region { north, north_central, central, highlands, south };
Region region_of(int old_province) {
  if (old_province <= 37) return north;
  if (old_province <= 45) return north_central;
  if (old_province <= 60) return central;
  if (old_province <= 68) return highlands;
  return south;
}

struct Place {
  const UnitVersion* unit = nullptr;
  std::string suffix;                         // ", Phường X, Thành phố Y"
  std::vector<std::vector<std::string>> olds;  // old names: commune, [district,] province
  std::vector<int> birth;                     // old province indices (birth-province candidates)
  Region region = north;
  int old_province = 0;
  size_t mix = 0;     // index into the ethnic mixes
  bool urban = false;  // Phường (or Thị trấn on a pre-2025 map)
  std::string tax_prefix;
};

constexpr const char* kTypeWords[] = {"Thành phố", "Thị trấn", "Thị xã", "Phường", "Quận", "Huyện", "Tỉnh", "Xã", "Đặc khu"};

// "Phường Quán Thánh" → "phường Quán Thánh".
std::string lower_type(const std::string& name) {
  static const std::map<std::string, std::string, std::less<>> lower = {
      {"Thành phố", "thành phố"}, {"Thị trấn", "thị trấn"}, {"Thị xã", "thị xã"}, {"Phường", "phường"}, {"Quận", "quận"},
      {"Huyện", "huyện"},         {"Tỉnh", "tỉnh"},         {"Xã", "xã"},         {"Đặc khu", "đặc khu"}};
  for (const char* t : kTypeWords) {
    std::string_view tv(t);
    if (name.size() > tv.size() && name.compare(0, tv.size(), tv) == 0 && name[tv.size()] == ' ')
      return lower.find(tv)->second + name.substr(tv.size());
  }
  return name;
}
// "Tỉnh Bắc Ninh" → "Bắc Ninh".
std::string without_type(const std::string& name) {
  for (const char* t : kTypeWords) {
    std::string_view tv(t);
    if (name.size() > tv.size() + 1 && name.compare(0, tv.size(), tv) == 0 && name[tv.size()] == ' ')
      return name.substr(tv.size() + 1);
  }
  return name;
}

std::string day_before(const std::string& ymd) {
  Ymd x = parse_today(ymd);
  return date_text(days_of(x.y, x.m, x.d) - 1);
}

// The unit and its parents on `as_of`, the unit first.
std::vector<const UnitVersion*> chain_of(const units::Gazetteer& map, const UnitVersion* u, std::string_view as_of) {
  std::vector<const UnitVersion*> out{u};
  while (out.size() < 4 && !out.back()->parent_code.empty()) {
    const UnitVersion* p = map.find(out.back()->parent_code, as_of);
    if (!p) break;
    out.push_back(p);
  }
  return out;
}

// ---- people --------------------------------------------------------------------------------------

struct Lineage {
  bool own = false;  // named in the ethnic group's own way
  std::string family;
};

struct Person {
  bool male = true;
  int y = 0, m = 0, d = 0;  // m, d = 0 when unknown (old records)
  int birth_province = 0;   // index into the old provinces
  size_t ethnic = 0;
  std::string name, id, relation, current;
  uint64_t id_number = 0;
  bool written = false, clean = true, no_sex = false, no_address = false;
};

constexpr const char* kSeries[] = {"BA", "BB", "BC", "BD", "BE", "BG", "BH", "BK", "BL", "BM", "BN", "BO", "BP", "BQ", "BR",
                                   "BS", "BT", "BU", "BV", "BX", "BY", "CA", "CB", "CC", "CD", "CE", "CG", "CH", "CK", "CS",
                                   "CT", "CU", "CV", "CX", "DA", "DB", "DC", "DD"};

constexpr const char* kSectors[] = {
    "Thương mại và Dịch vụ", "Xây dựng",        "Đầu tư và Phát triển", "Công nghệ",          "Giải pháp Phần mềm",
    "Vận tải",               "Logistics",       "Sản xuất và Thương mại", "Thực phẩm",        "Nông sản",
    "Thủy sản",              "Dược phẩm",       "Thiết bị Y tế",        "Giáo dục",           "Du lịch",
    "Khách sạn và Nhà hàng", "Bất động sản",    "Xuất nhập khẩu",       "Cơ khí",             "Điện lạnh",
    "Nội thất",              "Vật liệu Xây dựng", "In ấn và Quảng cáo",  "Tư vấn Thiết kế",   "May mặc",
    "Dệt may",               "Đồ gỗ",           "Môi trường",           "Năng lượng",         "Thiết bị Điện",
    "Viễn thông",            "Kế toán và Tư vấn Thuế", "Vàng bạc Đá quý", "Phân bón",         "Thức ăn Chăn nuôi",
    "Cà phê",                "Lương thực",      "Bao bì",               "Nhựa",               "Gốm sứ",
    "Thiết bị Văn phòng",    "Dịch vụ Bảo vệ",  "Vệ sinh Công nghiệp",  "Cảng và Kho bãi",    "Điện tử",
};
constexpr const char* kBrands[] = {
    "Hoàng Long", "Minh Phát",  "An Phú",     "Thành Công", "Việt Tiến", "Phú Thịnh",  "Đại Dương",  "Sao Mai",
    "Hưng Thịnh", "Trường Sơn", "Kim Long",   "Hòa Bình",   "Nam Việt",  "Tân Tiến",   "Phúc An",    "Thái Bình Dương",
    "Đông Á",     "Toàn Cầu",   "Ngọc Lan",   "Bình Minh",  "Thiên Phú", "Hải Âu",     "Phương Nam", "Hồng Hà",
    "Sông Hồng",  "Cửu Long",   "Tây Nguyên", "Ánh Dương",  "Bảo Tín",   "Đức Thành",  "Gia Phát",   "Hải Đăng",
    "Khánh An",   "Lộc Phát",   "Mai Linh",   "Nhật Minh",  "Phước Lộc", "Quang Minh", "Rạng Đông",  "Sơn Hà",
    "Tâm Đức",    "Thăng Long", "Trí Việt",   "Tường An",   "Vạn Xuân",  "Vĩnh Phát",  "Xuân Thành", "Yên Khánh",
    "An Bình",    "Bách Việt",  "Cát Tường",  "Đại Phát",   "Hợp Nhất",  "Kim Ngân",   "Liên Minh",  "Minh Long",
    "Ngọc Bích",  "Phú Cường",  "Tân Hoàng",  "Thịnh Vượng", "Trung Kiên", "Việt Hưng", "Hưng Phát", "Thành Đạt",
};

class Generator {
 public:
  Generator(const units::Gazetteer& map, const GenerateOptions& o, std::ostream& citizens, std::ostream& households,
            std::ostream& enterprises, std::ostream& parcels)
      : map_(map), o_(o), rng_(o.seed), out_c_(citizens), out_h_(households), out_e_(enterprises), out_p_(parcels) {}

  GenerateSummary run();

 private:
  // setup
  void prepare_map();
  void prepare_names();
  // people
  Lineage lineage(size_t ethnic);
  std::string name_of(const Lineage& l, size_t ethnic, bool male, int year);
  std::string generic_name(const std::string& family, bool male, int year);
  void birth_date(Person& p, int year, bool allow_partial = true);
  std::string new_id(int province, bool male, int year, uint64_t* number = nullptr);
  int birth_province(const Place& pl, double home_share);
  // households
  void household();
  bool emit(Person& p, const std::string& address, const std::string& household_id, size_t place);
  void dirty_row(Person& p);
  bool extra_dirty_row(const std::string& address);
  void write_citizen(const Person& p, const std::string& address, const std::string& household_id);
  std::string street(const Place& pl, size_t ethnic);
  std::string address_of(const Place& pl, size_t ethnic, bool allow_old);
  void parcel(size_t place, const char* land_use, const std::string& owners);
  void enterprises();

  void write(std::ostream& out, const std::vector<std::string>& row) {
    line_ = csv::format_row(row);
    line_ += '\n';
    out.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  }

  const units::Gazetteer& map_;
  const GenerateOptions& o_;
  Rng rng_;
  std::ostream &out_c_, &out_h_, &out_e_, &out_p_;
  GenerateSummary s_;
  std::string line_;
  std::vector<std::string> row_;

  // dates
  Ymd today_;
  int64_t today_days_ = 0, max_birth_days_ = 0;
  int max_year_ = 2024;

  // the map
  std::vector<std::string> old_provinces_;  // the 63 codes (sorted)
  std::vector<Place> places_;
  Weighted<uint32_t> home_, urban_;  // places by where people live / where businesses are
  std::vector<Weighted<uint8_t>> mixes_;
  double p_old_address_ = 0.3;

  // names
  Weighted<const char*> family_;  // the main table (targets scaled for the groups' own names)
  Weighted<const char*> middle_[2][3], given_[2][3];  // [female][cohort]

  // uniqueness
  KeySet ids_, households_ids_, parcel_keys_, certificates_, tax_codes_;

  // people kept for later rows
  struct Ref {
    uint64_t id;
    int16_t y;
    int8_t m, d;
    uint32_t place;
  };
  std::vector<Ref> adults_;  // clean adults (legal representatives)
  struct Recent {
    std::string id, name, birth, sex, address;
    int y;
  };
  std::vector<Recent> recent_;  // a sample of clean rows, for duplicates
  size_t recent_next_ = 0;
};

// ---- setup ---------------------------------------------------------------------------------------

void Generator::prepare_map() {
  std::string today = date_text(today_.y, today_.m, today_.d);
  // Birth-province codes of personal IDs: the provinces before 1 July 2025 (as the registry checks).
  for (const auto* p : map_.valid_on("2025-06-30", "province")) old_provinces_.push_back(p->code);
  if (old_provinces_.empty())
    for (const auto* p : map_.valid_on(today, "province")) old_provinces_.push_back(p->code);
  std::sort(old_provinces_.begin(), old_provinces_.end());
  std::map<std::string, int, std::less<>> old_index;
  for (size_t i = 0; i < old_provinces_.size(); ++i) old_index[old_provinces_[i]] = static_cast<int>(i);

  auto communes = map_.valid_on(today, "commune");
  if (communes.empty() || old_provinces_.empty()) throw std::invalid_argument("generate: the map has no communes on " + today);
  std::map<std::pair<int, bool>, size_t> mix_index;
  const auto& pm = province_mixes();
  for (const auto* u : communes) {
    Place pl;
    pl.unit = u;
    auto chain = chain_of(map_, u, today);
    for (size_t i = 1; i < chain.size(); ++i) pl.suffix += ", " + chain[i]->name;
    pl.suffix = ", " + u->name + pl.suffix;
    pl.urban = u->type == "Phường" || u->type == "Thị trấn";
    std::set<int> birth;
    for (const units::Change* c : map_.formed_from("commune", u->code)) {
      const units::Event* ev = map_.event(c->event_id);
      if (!ev || ev->effective_date > today || c->old_code.empty()) continue;
      const UnitVersion* old = nullptr;
      for (const auto* v : map_.versions(c->old_level, c->old_code))
        if (v->valid_to == ev->effective_date) old = v;
      if (!old) continue;
      auto old_chain = chain_of(map_, old, day_before(ev->effective_date));
      if (auto it = old_index.find(old_chain.back()->code); old_chain.back()->level == "province" && it != old_index.end())
        birth.insert(it->second);
      if (c->old_level != "commune" || c->change == "split" || old_chain.size() < 2) continue;
      // Only old communes that went whole into this one: their old address converts unambiguously.
      bool whole = true;
      for (const units::Change* b : map_.became(old->level, old->code))
        if (b->event_id == c->event_id && b->new_code != u->code) whole = false;
      if (!whole) continue;
      std::vector<std::string> names;
      for (const auto* x : old_chain) names.push_back(x->name);
      pl.olds.push_back(std::move(names));
    }
    if (birth.empty()) {
      const UnitVersion* top = chain.back();
      if (auto it = old_index.find(top->code); top->level == "province" && it != old_index.end()) birth.insert(it->second);
      else
        for (const units::Change* c : map_.formed_from("province", top->code))
          if (auto it2 = old_index.find(c->old_code); it2 != old_index.end()) birth.insert(it2->second);
    }
    pl.birth.assign(birth.begin(), birth.end());
    if (pl.birth.empty()) pl.birth.push_back(static_cast<int>(places_.size() % old_provinces_.size()));
    pl.old_province = std::atoi(old_provinces_[static_cast<size_t>(pl.birth.front())].c_str());
    pl.region = region_of(pl.old_province);
    // Tax-office prefixes of the four largest cities; elsewhere a synthetic one per province.
    std::string top = chain.back()->code;
    if (top == "01") pl.tax_prefix = "01";
    else if (top == "31") pl.tax_prefix = "02";
    else if (top == "79") pl.tax_prefix = "03";
    else if (top == "48") pl.tax_prefix = "04";
    else pl.tax_prefix = num(static_cast<uint64_t>(10 + std::atoi(top.c_str()) % 60), 2);
    // Ethnic mix: the old province's; halved minorities in urban wards.
    auto key = std::make_pair(pl.old_province, pl.urban);
    auto it = mix_index.find(key);
    if (it == mix_index.end()) {
      Weighted<uint8_t> w;
      double minority = 0;
      for (const auto& m : pm)
        if (m.province == pl.old_province)
          for (const auto& g : m.groups) {
            double share = g.second * (pl.urban ? 0.5 : 1.0);
            w.add(static_cast<uint8_t>(ethnic_index(g.first)), share);
            minority += share;
          }
      w.add(0, std::max(0.5, 100.0 - minority));
      it = mix_index.emplace(key, mixes_.size()).first;
      mixes_.push_back(std::move(w));
    }
    pl.mix = it->second;
    places_.push_back(std::move(pl));
  }
  // Where people live: wards are denser than rural communes.
  double with_old = 0, total = 0;
  for (size_t i = 0; i < places_.size(); ++i) {
    const auto& t = places_[i].unit->type;
    double w = t == "Phường" ? 2.5 : t == "Thị trấn" ? 1.5 : t == "Đặc khu" ? 0.3 : 1.0;
    home_.add(static_cast<uint32_t>(i), w);
    urban_.add(static_cast<uint32_t>(i), t == "Phường" ? 4.0 : t == "Thị trấn" ? 2.0 : 0.5);
    total += w;
    if (!places_[i].olds.empty()) with_old += w;
  }
  // About 30 % of all households written with an old address, from the communes that have one.
  p_old_address_ = with_old > 0 ? std::min(1.0, 0.3 * total / with_old) : 0.0;
}

void Generator::prepare_names() {
  // The groups' own family names take a share E of all lineages; the main table's named shares are
  // scaled by 1 / (1 − E) so that the population as a whole shows the cited shares.
  const auto& eth = ethnics();
  double own = 0;
  for (size_t i = 0; i < home_.size(); ++i) {
    const Weighted<uint8_t>& mix = mixes_[places_[home_.item(i)].mix];
    double e = 0;
    for (size_t g = 0; g < mix.size(); ++g) e += mix.weight(g) / mix.total() * eth[mix.item(g)].p;
    own += home_.weight(i) / home_.total() * e;
  }
  double named = 0;
  for (const auto& f : kTopFamilies) named += f.weight;
  double scale = 1.0 / (1.0 - own);
  if (named * scale > 99.0) scale = 99.0 / named;
  for (const auto& f : kTopFamilies) family_.add(f.name, f.weight * scale);
  double rest = 100.0 - named * scale, rest_total = 0;
  for (const auto& f : kRestFamilies) rest_total += f.weight;
  for (const auto& f : kRestFamilies) family_.add(f.name, rest * f.weight / rest_total);
  for (int c = 0; c < 3; ++c) {
    for (const auto& n : kMaleMiddle) middle_[0][c].add(n.name, n.w[c]);
    for (const auto& n : kFemaleMiddle) middle_[1][c].add(n.name, n.w[c]);
    for (const auto& n : kMaleGiven) given_[0][c].add(n.name, n.w[c]);
    for (const auto& n : kFemaleGiven) given_[1][c].add(n.name, n.w[c]);
  }
}

// ---- people --------------------------------------------------------------------------------------

template <size_t N>
const char* any(Rng& r, const char* const (&a)[N]) {
  return a[r.below(N)];
}
const char* any(Rng& r, const std::vector<const char*>& v) { return v[r.below(v.size())]; }

Lineage Generator::lineage(size_t ethnic) {
  const Ethnic& e = ethnics()[ethnic];
  Lineage l;
  if (e.p > 0 && rng_.chance(e.p)) {
    l.own = true;
    if (!e.families.empty()) l.family = any(rng_, e.families);
  } else {
    l.family = family_.pick(rng_);
  }
  return l;
}

std::string Generator::generic_name(const std::string& family, bool male, int year) {
  int c = cohort_of(year);
  auto& middle = middle_[male ? 0 : 1][c];
  auto& given = given_[male ? 0 : 1][c];
  std::string n = family;
  double roll = rng_.unit();
  if (c == 0 && roll < 0.03) {  // older people without a middle name: "Lê Hùng"
  } else if (c == 2 && roll < 0.12) {  // two middle names: "Nguyễn Ngọc Bảo Anh"
    std::string_view a, b;
    do a = middle.pick(rng_);
    while (a == "Văn" || a == "Thị");
    do b = middle.pick(rng_);
    while (b == a || b == "Văn" || b == "Thị");
    n += ' ';
    n += a;
    n += ' ';
    n += b;
  } else {
    n += ' ';
    n += middle.pick(rng_);
  }
  std::string_view g;
  do g = given.pick(rng_);
  while (n.size() >= g.size() && n.compare(n.size() - g.size(), g.size(), g) == 0);  // not "Minh Minh"
  n += ' ';
  n += g;
  return n;
}

std::string Generator::name_of(const Lineage& l, size_t ethnic, bool male, int year) {
  if (!l.own) return generic_name(l.family, male, year);
  const Ethnic& e = ethnics()[ethnic];
  std::string n;
  switch (e.style) {
    case Style::generic: return generic_name(l.family, male, year);
    case Style::mong:
      n = l.family;
      n += male ? (rng_.chance(0.6) ? " A " : rng_.chance(0.5) ? " Seo " : " Mí ") : " Thị ";
      n += any(rng_, male ? e.male : e.female);
      return n;
    case Style::khmer:
      if (rng_.chance(0.5)) return generic_name(l.family, male, year);
      n = l.family;
      if (!male) n += " Thị";
      n += ' ';
      n += any(rng_, male ? e.male : e.female);
      return n;
    case Style::clan_first:
      n = l.family;
      n += ' ';
      n += any(rng_, male ? e.male : e.female);
      return n;
    case Style::ede:
      n = male ? "Y " : "H'";
      n += any(rng_, male ? e.male : e.female);
      n += ' ';
      n += l.family;
      return n;
    case Style::a_y:
      n = male ? "A " : "Y ";
      n += any(rng_, male ? e.male : e.female);
      return n;
    case Style::k_ka:
      n = male ? "K'" : "Ka ";
      n += any(rng_, male ? e.male : e.female);
      return n;
  }
  return generic_name(l.family, male, year);
}

// A birth date in `year`, never after the last allowed day; old records sometimes keep only the
// year or the month (about 3 % of all rows).
void Generator::birth_date(Person& p, int year, bool allow_partial) {
  p.y = std::min(year, max_year_);
  double partial = !allow_partial ? 0 : p.y < 1950 ? 0.30 : p.y < 1965 ? 0.14 : p.y < 1975 ? 0.05 : 0;
  if (partial > 0 && rng_.chance(partial)) {
    p.m = rng_.chance(0.5) ? 0 : rng_.range(1, 12);
    p.d = 0;
    return;
  }
  for (;;) {
    p.m = rng_.range(1, 12);
    p.d = rng_.range(1, days_in_month(p.y, p.m));
    if (days_of(p.y, p.m, p.d) <= max_birth_days_) return;
  }
}

std::string Generator::new_id(int province, bool male, int year, uint64_t* number) {
  int century = year < 1900 ? 8 : year < 2000 ? 0 : year < 2100 ? 2 : year < 2200 ? 4 : 6;
  const std::string& code = old_provinces_[static_cast<size_t>(province)];
  uint64_t head = static_cast<uint64_t>(std::atoi(code.c_str())) * 1000 + static_cast<uint64_t>(century + (male ? 0 : 1)) * 100 +
                  static_cast<uint64_t>(year % 100);
  for (;;) {
    uint64_t n = head * 1000000 + rng_.below(1000000);
    if (!ids_.insert(n)) continue;
    if (number) *number = n;
    return num(n, 12);
  }
}

int Generator::birth_province(const Place& pl, double home_share) {
  if (rng_.chance(home_share)) return pl.birth[rng_.below(pl.birth.size())];
  const Place& other = places_[home_.pick(rng_)];
  return other.birth[rng_.below(other.birth.size())];
}

// ---- addresses -----------------------------------------------------------------------------------

std::string Generator::street(const Place& pl, size_t ethnic) {
  std::string s;
  auto house = [&] { return rng_.chance(0.6) ? rng_.range(1, 80) : rng_.range(1, 400); };
  bool rural = !pl.urban;
  if (rural) {
    Village v = ethnics()[ethnic].village;
    std::string village;
    if (v == v_ban) village = std::string("Bản ") + any(rng_, kBan);
    else if (v == v_buon) village = std::string("Buôn ") + any(rng_, kBuon);
    else if (v == v_lang) village = std::string("Làng ") + any(rng_, kLang);
    else {
      double r = rng_.unit();
      switch (pl.region) {
        case south:
          village = r < 0.6 ? std::string("Ấp ") + any(rng_, kSouthHamlets) : "Ấp " + num(static_cast<uint64_t>(rng_.range(1, 9)));
          break;
        case north_central:
          village = r < 0.4 ? "Xóm " + num(static_cast<uint64_t>(rng_.range(1, 15)))
                    : r < 0.8 ? std::string("Thôn ") + any(rng_, kHamlets)
                              : "Thôn " + num(static_cast<uint64_t>(rng_.range(1, 12)));
          break;
        case north:
          village = r < 0.6 ? std::string("Thôn ") + any(rng_, kHamlets)
                    : r < 0.8 ? std::string("Xóm ") + any(rng_, kHamlets)
                              : "Thôn " + num(static_cast<uint64_t>(rng_.range(1, 12)));
          break;
        default:
          village = r < 0.6 ? std::string("Thôn ") + any(rng_, kHamlets) : "Thôn " + num(static_cast<uint64_t>(rng_.range(1, 12)));
      }
    }
    if (rng_.chance(0.2)) {  // "Số 45 thôn Đông": the hamlet word in lower case after a house number
      static const std::pair<std::string_view, std::string_view> kLower[] = {
          {"Thôn", "thôn"}, {"Xóm", "xóm"}, {"Ấp", "ấp"}, {"Bản", "bản"}, {"Buôn", "buôn"}, {"Làng", "làng"}};
      for (const auto& [up, low] : kLower)
        if (village.compare(0, up.size(), up) == 0) {
          village = std::string(low) + village.substr(up.size());
          break;
        }
      return "Số " + num(static_cast<uint64_t>(house())) + " " + village;
    }
    return village;
  }
  std::string st = any(rng_, kStreets);
  int n = house();
  double r = rng_.unit();
  switch (pl.region) {
    case north:
    case north_central:
      if (r < 0.40) s = "Số " + num(static_cast<uint64_t>(n)) + " " + st;
      else if (r < 0.70) s = "Số " + num(static_cast<uint64_t>(n)) + " ngõ " + num(static_cast<uint64_t>(rng_.range(1, 300))) + " " + st;
      else if (r < 0.80)
        s = "Số " + num(static_cast<uint64_t>(n)) + " ngách " + num(static_cast<uint64_t>(rng_.range(1, 80))) + " ngõ " +
            num(static_cast<uint64_t>(rng_.range(1, 300))) + " " + st;
      else if (r < 0.92) s = "Số " + num(static_cast<uint64_t>(n)) + " đường " + st;
      else s = "Tổ dân phố " + num(static_cast<uint64_t>(rng_.range(1, 30)));
      break;
    case central:
      if (r < 0.45) s = "Số " + num(static_cast<uint64_t>(n)) + " " + st;
      else if (r < 0.65)
        s = (pl.old_province == 46 || pl.old_province == 48 ? "K" : "Hẻm ") + num(static_cast<uint64_t>(rng_.range(1, 300))) + "/" +
            num(static_cast<uint64_t>(rng_.range(1, 60))) + " " + st;
      else if (r < 0.9) s = num(static_cast<uint64_t>(n)) + " " + st;
      else s = "Tổ " + num(static_cast<uint64_t>(rng_.range(1, 40)));
      break;
    default:
      if (r < 0.35) s = num(static_cast<uint64_t>(n)) + " " + st;
      else if (r < 0.60) s = num(static_cast<uint64_t>(n)) + "/" + num(static_cast<uint64_t>(rng_.range(1, 150))) + " " + st;
      else if (r < 0.65)
        s = num(static_cast<uint64_t>(n)) + "/" + num(static_cast<uint64_t>(rng_.range(1, 150))) + "/" +
            num(static_cast<uint64_t>(rng_.range(1, 40))) + " " + st;
      else if (r < 0.75) s = "Số " + num(static_cast<uint64_t>(n)) + " hẻm " + num(static_cast<uint64_t>(rng_.range(1, 400))) + " " + st;
      else if (r < 0.90) s = "Số " + num(static_cast<uint64_t>(n)) + " đường " + st;
      else s = "Khu phố " + num(static_cast<uint64_t>(rng_.range(1, 12)));
  }
  return s;
}

// Street + current commune and province, or (allow_old, about 30 %) the old three-level address of
// a commune that went whole into this one.
std::string Generator::address_of(const Place& pl, size_t ethnic, bool allow_old) {
  std::string a = street(pl, ethnic);
  if (allow_old && !pl.olds.empty() && rng_.chance(p_old_address_)) {
    const auto& names = pl.olds[rng_.below(pl.olds.size())];
    double r = rng_.unit();
    for (size_t i = 0; i < names.size(); ++i) {
      a += ", ";
      if (r < 0.6) a += names[i];
      else if (r < 0.85) a += lower_type(names[i]);
      else a += i + 1 == names.size() ? without_type(names[i]) : names[i];
    }
    return a;
  }
  return a + pl.suffix;
}

// ---- citizens ------------------------------------------------------------------------------------

void Generator::write_citizen(const Person& p, const std::string& address, const std::string& household_id) {
  row_.assign(9, std::string());
  row_[0] = p.id;
  row_[1] = p.name;
  if (p.y) row_[2] = date_text(p.y, p.m, p.d);
  if (!p.no_sex) row_[3] = p.male ? "M" : "F";
  row_[4] = ethnics()[p.ethnic].name;
  row_[5] = "VN";
  if (!p.no_address) row_[6] = address;
  row_[7] = p.current;
  row_[8] = household_id;
  write(out_c_, row_);
  ++s_.citizens;
}

// Kinds of dirty rows (docs/REGISTRY.md, "Synthetic population"): the first six change the person's own row, the
// last two are extra rows that repeat an earlier clean one.
enum DirtyKind { d_century, d_id_year, d_name_digits, d_feb30, d_future, d_missing, d_duplicate_id, d_probable_duplicate, d_count };

void Generator::dirty_row(Person& p) {
  p.clean = false;
  auto reid = [&](std::string id) {  // IDs stay unique: another random tail on a clash
    for (;;) {
      if (ids_.insert(std::stoull(id))) return id;
      id.replace(6, 6, num(rng_.below(1000000), 6));
    }
  };
  switch (static_cast<DirtyKind>(rng_.below(d_duplicate_id))) {
    case d_century: {  // digit 4 of another century, same sex: correct.id_century_sex
      std::string id = p.id;
      id[3] = (id[3] == '0' || id[3] == '1') ? static_cast<char>(id[3] + 2) : static_cast<char>(id[3] - 2);
      p.id = reid(id);
      break;
    }
    case d_id_year: {  // digits 5–6 not the birth year: correct.id_year
      std::string id = p.id;
      id.replace(4, 2, num(static_cast<uint64_t>((p.y % 100 + rng_.range(1, 99)) % 100), 2));
      p.id = reid(id);
      break;
    }
    case d_name_digits: {  // a digit in the name, as typed or scanned: correct.name_chars
      static const std::pair<char, char> kSwap[] = {{'o', '0'}, {'i', '1'}, {'a', '4'}, {'e', '3'}};
      bool done = false;
      if (rng_.chance(0.5))
        for (const auto& [from, to] : kSwap)
          if (auto at = p.name.find(from); at != std::string::npos) {
            p.name[at] = to;
            done = true;
            break;
          }
      if (!done) p.name += " " + num(static_cast<uint64_t>(rng_.range(1, 9)));
      break;
    }
    case d_feb30:  // 30 February: correct.date_invalid
      p.m = 2;
      p.d = 30;
      break;
    case d_future: {  // born after today, the ID agreeing with that date: correct.date_future
      Ymd f = ymd_of(today_days_ + rng_.range(1, 730));
      p.y = f.y;
      p.m = f.m;
      p.d = f.d;
      p.id = new_id(p.birth_province, p.male, p.y);
      break;
    }
    default:  // a required field left empty: sufficient.<field>
      switch (rng_.below(4)) {
        case 0: p.name.clear(); break;
        case 1: p.y = 0; break;
        case 2: p.no_sex = true; break;
        default: p.no_address = true;
      }
  }
}

// An extra dirty row, from a sample of earlier clean rows: either that citizen's ID given to another
// person of the same sex and birth year (so that only the duplicate is wrong: clean.duplicate_key),
// or that citizen again, under a new valid ID, with the name written without diacritics
// (clean.probable_duplicate). False when there is no earlier row yet.
bool Generator::extra_dirty_row(const std::string& address) {
  if (recent_.empty()) return false;
  const Recent& r = recent_[rng_.below(recent_.size())];
  row_.assign(9, std::string());
  if (rng_.chance(0.5)) {
    Person p;
    p.male = r.sex == "M";
    birth_date(p, r.y, false);
    row_[0] = r.id;
    row_[1] = generic_name(family_.pick(rng_), p.male, r.y);
    row_[2] = date_text(p.y, p.m, p.d);
    row_[6] = address;
  } else {
    std::string folded = text::fold(r.name);
    bool start = true;
    for (char& c : folded) {
      if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      start = c == ' ' || c == '\'';
    }
    row_[0] = new_id(static_cast<int>(rng_.below(old_provinces_.size())), r.sex == "M", r.y);
    row_[1] = folded;
    row_[2] = r.birth;
    row_[6] = r.address;
  }
  row_[3] = r.sex;
  row_[4] = "Kinh";
  row_[5] = "VN";
  write(out_c_, row_);
  ++s_.citizens;
  return true;
}

// Writes one member's row, possibly after extra dirty rows, possibly dirty itself. False when the
// requested number of rows has been reached (the member is then left out).
bool Generator::emit(Person& p, const std::string& address, const std::string& household_id, size_t place) {
  while (s_.citizens < o_.citizens) {
    if (o_.dirty_share > 0 && rng_.chance(o_.dirty_share)) {
      ++s_.dirty;
      if (rng_.below(d_count) >= d_duplicate_id && extra_dirty_row(address)) continue;
      dirty_row(p);
      write_citizen(p, address, household_id);
      p.written = true;
      return true;
    }
    write_citizen(p, address, household_id);
    p.written = true;
    if (days_of(p.y, p.m ? p.m : 12, p.d ? p.d : 28) <= today_days_ - 18 * 366)
      adults_.push_back({p.id_number, static_cast<int16_t>(p.y), static_cast<int8_t>(p.m), static_cast<int8_t>(p.d),
                         static_cast<uint32_t>(place)});
    if (recent_.size() < 64) recent_.push_back({p.id, p.name, date_text(p.y, p.m, p.d), p.male ? "M" : "F", address, p.y});
    else if (rng_.below(16) == 0)
      recent_[recent_next_++ % 64] = {p.id, p.name, date_text(p.y, p.m, p.d), p.male ? "M" : "F", address, p.y};
    return true;
  }
  return false;
}

// ---- households ----------------------------------------------------------------------------------

void Generator::household() {
  const size_t place = home_.pick(rng_);
  const Place& pl = places_[place];
  const size_t eth = mixes_[pl.mix].pick(rng_);
  const bool matrilineal = ethnics()[eth].style == Style::ede;
  const int ty = today_.y;
  const int oldest = std::max(18, ty - 1930);  // the oldest age (born 1930)
  auto age_year = [&](int lo, int hi) { return ty - rng_.range(std::min(lo, oldest), std::min(hi, oldest)); };
  auto elderly_year = [&](int lo, int hi) {  // fewer people at each older age
    lo = std::min(lo, oldest);
    hi = std::min(hi, oldest);
    int a = rng_.range(lo, hi), b = rng_.range(lo, hi);
    return ty - std::min(a, b);
  };
  std::vector<Person> m;
  m.reserve(8);
  auto add = [&](bool male, int year, const Lineage& l, const char* relation, double home_share) {
    Person p;
    p.male = male;
    p.ethnic = eth;
    birth_date(p, year);
    p.name = name_of(l, eth, male, p.y);
    p.relation = relation;
    p.birth_province = birth_province(pl, home_share);
    p.id = new_id(p.birth_province, male, p.y, &p.id_number);
    m.push_back(std::move(p));
  };

  // The kind of household (shares roughly as in the 2019 census).
  enum { single, couple, nuclear, single_parent, three_gen, skipped } kind;
  double r = rng_.unit();
  kind = r < 0.10 ? single : r < 0.22 ? couple : r < 0.74 ? nuclear : r < 0.81 ? single_parent : r < 0.95 ? three_gen : skipped;
  int head_year = 0;
  bool head_male = true;
  switch (kind) {
    case single: {
      double a = rng_.unit();
      head_year = a < 0.40 ? age_year(20, 35) : a < 0.55 ? age_year(36, 59) : elderly_year(60, 95);
      head_male = rng_.chance(0.45);
      break;
    }
    case couple:
      head_year = rng_.chance(0.35) ? age_year(22, 35) : elderly_year(55, 92);
      head_male = rng_.chance(0.82);
      break;
    case nuclear:
      head_year = age_year(25, 62);
      head_male = rng_.chance(0.82);
      break;
    case single_parent:
      head_year = age_year(28, 60);
      head_male = rng_.chance(0.25);
      break;
    case three_gen:
      head_year = age_year(26, 50);
      head_male = rng_.chance(0.82);
      break;
    case skipped:
      head_year = elderly_year(52, 82);
      head_male = rng_.chance(0.6);
      break;
  }
  const Lineage head_line = lineage(eth);
  add(head_male, head_year, head_line, "chủ hộ", 0.85);

  // The spouse: the husband usually a few years older.
  Lineage spouse_line;
  int spouse_year = 0;
  if (kind == couple || kind == nuclear || kind == three_gen || (kind == skipped && rng_.chance(0.7))) {
    spouse_line = lineage(eth);
    int gap = rng_.chance(0.15) ? 0 : rng_.range(1, rng_.chance(0.8) ? 4 : 9);
    spouse_year = head_male ? std::min(head_year + gap, ty - 18) : std::max(head_year - gap, 1930);
    add(!head_male, spouse_year, spouse_line, head_male ? "vợ" : "chồng", 0.75);
  }

  // Children: born when their mother was 19–40; grown-up children have mostly moved out.
  if (kind == nuclear || kind == three_gen || kind == single_parent) {
    int mother = head_male ? (spouse_year ? spouse_year : head_year + 3) : head_year;
    int k = 0;
    double c = rng_.unit() * 100;
    if (mother < 1960) k = c < 15 ? 1 : c < 40 ? 2 : c < 70 ? 3 : 4;
    else if (mother < 1980) k = c < 20 ? 1 : c < 65 ? 2 : c < 90 ? 3 : 4;
    else k = c < 35 ? 1 : c < 85 ? 2 : c < 98 ? 3 : 4;
    Lineage child_line = matrilineal ? (head_male ? spouse_line : head_line)
                         : head_male  ? head_line
                         : spouse_year ? spouse_line
                         : rng_.chance(0.5) ? head_line
                                            : lineage(eth);
    int year = mother + rng_.range(19, 29);
    for (int i = 0; i < k && year <= max_year_ && year <= mother + 42; ++i, year += rng_.range(1, 5)) {
      int age = ty - year;
      if (age > 22 && rng_.chance(std::min(0.9, (age - 22) * 0.08))) continue;
      add(rng_.chance(0.512), year, child_line, "con", 0.93);
    }
  }
  // The head's parents.
  if (kind == three_gen) {
    int father = head_year - rng_.range(24, 36), mother = father + rng_.range(0, 6);
    bool both = rng_.chance(0.65), mother_only = !both && rng_.chance(0.7);
    const Lineage& father_line = matrilineal ? lineage(eth) : head_line;
    Lineage mother_line = matrilineal ? head_line : lineage(eth);
    if ((both || !mother_only) && father >= 1930) add(true, father, father_line, "bố", 0.8);
    if ((both || mother_only) && mother >= 1930) add(false, mother, mother_line, "mẹ", 0.8);
  }
  // Grandchildren living with their grandparents.
  if (kind == skipped) {
    int k = rng_.range(1, 3);
    Lineage child_line = rng_.chance(0.5) ? head_line : lineage(eth);
    int year = std::max(head_year + 42, ty - 17);
    for (int i = 0; i < k && year + i * 2 <= max_year_; ++i) add(rng_.chance(0.512), year + rng_.range(i * 2, i * 2 + 5), child_line, "cháu", 0.9);
  }
  if (m.size() > 7) m.resize(7);

  // One address for the household; some members currently live elsewhere (work, study).
  std::string address = address_of(pl, eth, true);
  for (auto& p : m) {
    int age = ty - p.y;
    if (age >= 18 && age <= 45 && rng_.chance(0.2)) p.current = address_of(places_[urban_.pick(rng_)], 0, false);
    else if (rng_.chance(0.05)) p.current = address;
  }
  std::string hid;
  for (;;) {
    uint64_t n = rng_.below(10000000000ULL);
    if (households_ids_.insert(n)) {
      hid = "HK" + num(n, 10);
      break;
    }
  }
  for (auto& p : m)
    if (!emit(p, address, hid, place)) break;
  if (!m.front().written) return;

  std::string members;
  for (const auto& p : m) {
    if (!p.written) break;
    if (!members.empty()) members += '|';
    members += p.id;
    members += ':';
    members += p.relation;
  }
  row_.assign({hid, m.front().id, address, members});
  write(out_h_, row_);
  ++s_.households;

  // Land: about one parcel per three people; the first is the house plot.
  size_t people = 0;
  for (const auto& p : m) people += p.written;
  size_t n = people / 3 + (rng_.below(3) < people % 3 ? 1 : 0);
  std::string owners;
  if (m.front().clean) owners = m.front().id;
  if (m.size() > 1 && m[1].written && m[1].clean && (m[1].relation == std::string("vợ") || m[1].relation == std::string("chồng")) &&
      rng_.chance(0.4))
    owners += (owners.empty() ? "" : "|") + m[1].id;
  for (size_t i = 0; i < n; ++i) {
    const char* use;
    double u = rng_.unit();
    if (i == 0) use = pl.urban ? "ODT" : "ONT";
    else if (pl.urban) use = u < 0.5 ? "ODT" : u < 0.7 ? "CLN" : u < 0.85 ? "LUC" : u < 0.95 ? "BHK" : "NTS";
    else use = u < 0.45 ? "LUC" : u < 0.70 ? "CLN" : u < 0.80 ? "BHK" : u < 0.88 ? "NTS" : u < 0.95 ? "RSX" : "ONT";
    parcel(place, use, owners);
  }
}

// ---- parcels -------------------------------------------------------------------------------------

void Generator::parcel(size_t place, const char* use, const std::string& owners) {
  int sheet = 0, number = 0;
  for (int tries = 0;; ++tries) {
    if (tries == 200) return;  // the commune's sheets are full (only with absurdly many parcels)
    sheet = rng_.range(1, 60);
    number = rng_.range(1, 999);
    if (parcel_keys_.insert(static_cast<uint64_t>(place) * 60000 + static_cast<uint64_t>((sheet - 1) * 1000 + number - 1))) break;
  }
  std::string_view u(use);
  int lo = 30, hi = 5000;
  if (u == "ODT") hi = 300;
  else if (u == "ONT") lo = 80, hi = 1500;
  else if (u == "LUC") lo = 200;
  else if (u == "CLN" || u == "NTS") lo = 300;
  else if (u == "RSX") lo = 1000;
  else if (u == "BHK") lo = 200, hi = 3000;
  else if (u == "TMD" || u == "SKC") lo = 100;
  double x = rng_.unit();
  int tenths = lo * 10 + static_cast<int>(x * x * (hi - lo) * 10);  // more small plots than large ones
  std::string area = num(static_cast<uint64_t>(tenths / 10));
  if (rng_.chance(0.5) && tenths % 10 && tenths / 10 < hi) area += "." + num(static_cast<uint64_t>(tenths % 10));
  std::string cert;
  if (rng_.chance(0.88))
    for (;;) {
      uint64_t series = rng_.below(std::size(kSeries)), n = rng_.below(1000000);
      if (certificates_.insert(series * 1000000 + n)) {
        cert = std::string(kSeries[series]) + " " + num(n, 6);
        break;
      }
    }
  row_.assign({places_[place].unit->code, num(static_cast<uint64_t>(sheet)), num(static_cast<uint64_t>(number)), area, std::string(use),
               owners, cert});
  write(out_p_, row_);
  ++s_.parcels;
}

// ---- enterprises ---------------------------------------------------------------------------------

void Generator::enterprises() {
  size_t n = (o_.citizens + 12) / 25;
  const int64_t first = days_of(1995, 1, 1);
  const int64_t reform = days_of(2025, 7, 1);
  for (size_t i = 0; i < n; ++i) {
    // The legal representative: a clean adult; registration after their 18th birthday.
    std::string rep;
    int64_t lo = first;
    size_t place = urban_.pick(rng_);
    if (!adults_.empty()) {
      const Ref& a = adults_[rng_.below(adults_.size())];
      rep = num(a.id, 12);
      lo = std::max(lo, days_of(a.y + 18, a.m ? a.m : 12, a.d ? a.d : 28));
      if (rng_.chance(0.6)) place = a.place;
    }
    const int64_t hi = today_days_;
    lo = std::min(lo, hi);
    int64_t reg = lo + static_cast<int64_t>(rng_.below(static_cast<uint64_t>(hi - lo + 1)));
    if (rng_.chance(0.5)) reg = std::max(reg, lo + static_cast<int64_t>(rng_.below(static_cast<uint64_t>(hi - lo + 1))));
    const Place& pl = places_[place];
    // The code: 10 digits, the last the check digit of the first nine.
    std::string code;
    for (;;) {
      std::string nine = pl.tax_prefix + num(rng_.below(10000000), 7);
      int check = rules::tax_check_digit(nine);
      if (check < 0) continue;  // no code is issued with this prefix
      if (o_.dirty_share > 0 && rng_.chance(0.005)) {
        check = (check + rng_.range(1, 9)) % 10;
        code = nine + static_cast<char>('0' + check);
        if (!tax_codes_.insert(std::stoull(code))) continue;
        ++s_.dirty_enterprises;
        break;
      }
      code = nine + static_cast<char>('0' + check);
      if (tax_codes_.insert(std::stoull(code))) break;
    }
    // The name.
    std::string name;
    double f = rng_.unit();
    name = f < 0.45 ? "Công ty TNHH " : f < 0.55 ? "Công ty TNHH Một thành viên " : f < 0.85 ? "Công ty Cổ phần " : f < 0.98 ? "Doanh nghiệp tư nhân " : "Công ty Hợp danh ";
    if (!(f >= 0.55 && f < 0.85 && rng_.chance(0.2))) name += std::string(any(rng_, kSectors)) + " ";
    name += any(rng_, kBrands);
    if (rng_.chance(0.05)) name += " Việt Nam";
    double st = rng_.unit();
    const char* status = st < 0.85 ? "active" : st < 0.91 ? "suspended" : "dissolved";
    row_.assign({code, name, rep, address_of(pl, 0, reg < reform), status, date_text(reg)});
    write(out_e_, row_);
    ++s_.enterprises;
    if (rng_.chance(0.25)) parcel(place, rng_.chance(0.6) ? "TMD" : "SKC", code);
  }
}

GenerateSummary Generator::run() {
  if (!(o_.dirty_share >= 0 && o_.dirty_share <= 1)) throw std::invalid_argument("generate: dirty_share must be within [0, 1]");
  today_ = parse_today(o_.today.empty() ? units::today_vn() : o_.today);
  today_days_ = days_of(today_.y, today_.m, today_.d);
  max_birth_days_ = std::min(days_of(2024, 12, 31), today_days_);
  max_year_ = ymd_of(max_birth_days_).y;
  prepare_map();
  prepare_names();
  ids_.reserve(o_.citizens + o_.citizens / 50);
  households_ids_.reserve(o_.citizens / 3);
  parcel_keys_.reserve(o_.citizens / 3 + o_.citizens / 80);
  certificates_.reserve(o_.citizens / 3);
  adults_.reserve(o_.citizens * 3 / 4);
  // The registry templates (docs/REGISTRY.md).
  write(out_c_, {"id_number", "full_name", "birth_date", "sex", "ethnicity", "nationality", "permanent_address", "current_address",
                 "household_id"});
  write(out_h_, {"household_id", "head_id", "address", "members"});
  write(out_e_, {"enterprise_code", "name", "legal_representative_id", "address", "status", "registration_date"});
  write(out_p_, {"commune_code", "map_sheet", "parcel_number", "area_m2", "land_use", "owners", "certificate_number"});
  while (s_.citizens < o_.citizens) household();
  enterprises();
  return s_;
}

}  // namespace

GenerateSummary generate(const units::Gazetteer& map, const GenerateOptions& o, std::ostream& citizens, std::ostream& households,
                         std::ostream& enterprises, std::ostream& parcels) {
  Generator g(map, o, citizens, households, enterprises, parcels);
  return g.run();
}

}  // namespace lt::registry
