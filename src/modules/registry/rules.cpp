#include "modules/registry/rules.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <array>
#include <cstdio>
#include <stdexcept>
#include <tuple>

#include "platform/util/text.hpp"
#include "platform/util/time.hpp"

namespace lt::registry::rules {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) {
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// `n` ASCII digits at `pos`, already known to be digits.
int num(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

void add(std::vector<Violation>& out, std::string_view rule, std::string_view field, std::string message) {
  out.push_back({std::string(rule), std::string(field), std::move(message)});
}

PartialDate parse_today(std::string_view today) {
  auto d = parse_partial_date(today);
  if (!d || d->day == 0) throw std::invalid_argument("registry rules: today must be YYYY-MM-DD");
  return *d;
}

// A partial date is future when its earliest possible day is after today.
bool is_future(const PartialDate& d, const PartialDate& today) {
  if (d.month == 0) return d.year > today.year;
  if (d.day == 0) return std::tie(d.year, d.month) > std::tie(today.year, today.month);
  return std::tie(d.year, d.month, d.day) > std::tie(today.year, today.month, today.day);
}

void check_dated(std::string_view value, std::string_view field, std::string_view today, bool partial_ok,
                 std::vector<Violation>& out) {
  const PartialDate now = parse_today(today);  // validated even when value is empty
  if (value.empty()) return;
  auto d = parse_partial_date(value);
  if (!d || (!partial_ok && d->day == 0)) {
    add(out, "correct.date_invalid", field,
        partial_ok ? "Ngày không hợp lệ (YYYY-MM-DD, YYYY-MM hoặc YYYY) / Invalid date (YYYY-MM-DD, YYYY-MM or YYYY)"
                   : "Ngày không hợp lệ (YYYY-MM-DD) / Invalid date (YYYY-MM-DD)");
    return;
  }
  if (is_future(*d, now))
    add(out, "correct.date_future", field,
        "Ngày ở tương lai (sau " + now.str() + ") / Date in the future (after " + now.str() + ")");
}

}  // namespace

// ---------------------------------------------------------------------------------------- dates

std::string PartialDate::str() const {
  char buf[16];
  if (month == 0)
    std::snprintf(buf, sizeof buf, "%04d", year);
  else if (day == 0)
    std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
  else
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::optional<PartialDate> parse_partial_date(std::string_view s) {
  if (s.size() != 4 && s.size() != 7 && s.size() != 10) return std::nullopt;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : !is_digit(s[i])) return std::nullopt;
  }
  PartialDate d;
  d.year = num(s, 0, 4);
  if (d.year < 1) return std::nullopt;
  if (s.size() >= 7) {
    d.month = num(s, 5, 2);
    if (d.month < 1 || d.month > 12) return std::nullopt;
  }
  if (s.size() == 10) {
    d.day = num(s, 8, 2);
    if (!timeutil::valid_date(d.year, d.month, d.day)) return std::nullopt;
  }
  return d;
}

void check_birth_date(std::string_view value, std::string_view field, std::string_view today,
                      std::vector<Violation>& out) {
  check_dated(value, field, today, true, out);
}

void check_date(std::string_view value, std::string_view field, std::string_view today,
                std::vector<Violation>& out) {
  check_dated(value, field, today, false, out);
}

// ------------------------------------------------------------------------------- personal ID

void check_personal_id(std::string_view id, const std::optional<PartialDate>& birth, std::string_view sex,
                       const std::set<std::string, std::less<>>& old_provinces, std::vector<Violation>& out) {
  static constexpr std::string_view kField = "id_number";
  if (id.empty()) return;
  if (id.size() != 12 || !all_digits(id)) {
    add(out, "correct.id_format", kField,
        "Số định danh cá nhân phải gồm đúng 12 chữ số / The personal ID number must be exactly 12 digits");
    return;
  }
  if (id[0] != '0' || !old_provinces.contains(id.substr(1, 2)))
    add(out, "correct.id_province", kField,
        "Mã tỉnh nơi đăng ký khai sinh (" + std::string(id.substr(0, 3)) +
            ") không phải mã tỉnh trước 01/07/2025 / The birth-province code (" + std::string(id.substr(0, 3)) +
            ") is not a province code valid before 1 July 2025");

  // Digit 4: century of birth (pairs from 1900, with 8/9 for the 1800s) and sex (even male, odd female).
  static constexpr std::array<int, 5> kCentury = {1900, 2000, 2100, 2200, 1800};
  const int g = id[3] - '0';
  const int century = kCentury[static_cast<size_t>(g / 2)];
  const bool female = g % 2 == 1;
  const bool have_birth = birth && birth->year > 0;
  const bool have_sex = sex == "M" || sex == "F";
  const bool sex_wrong = have_sex && female != (sex == "F");
  const bool century_wrong = have_birth && birth->year / 100 * 100 != century;
  if (sex_wrong || century_wrong) {
    std::string what_vi, what_en;
    if (sex_wrong) what_vi = "giới tính", what_en = "the sex";
    if (century_wrong) {
      what_vi += what_vi.empty() ? "thế kỷ sinh" : " và thế kỷ sinh";
      what_en += what_en.empty() ? "the century of birth" : " and the century of birth";
    }
    add(out, "correct.id_century_sex", kField,
        "Chữ số thứ 4 (" + std::string(1, id[3]) + ") không khớp " + what_vi + " / Digit 4 (" +
            std::string(1, id[3]) + ") does not match " + what_en);
  }
  if (have_birth && num(id, 4, 2) != birth->year % 100)
    add(out, "correct.id_year", kField,
        "Chữ số 5–6 (" + std::string(id.substr(4, 2)) + ") không khớp năm sinh " + std::to_string(birth->year) +
            " / Digits 5–6 (" + std::string(id.substr(4, 2)) + ") do not match the birth year " +
            std::to_string(birth->year));
}

// ---------------------------------------------------------------------------------- tax code

int tax_check_digit(std::string_view first_nine) {
  static constexpr std::array<int, 9> kWeights = {31, 29, 23, 19, 17, 13, 7, 5, 3};
  if (first_nine.size() != 9 || !all_digits(first_nine)) return -1;
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) sum += kWeights[i] * (first_nine[i] - '0');
  const int c = 10 - sum % 11;
  return c == 10 ? -1 : c;
}

bool tax_check_digit_ok(std::string_view first_ten) {
  if (first_ten.size() != 10 || !all_digits(first_ten)) return false;
  const int c = tax_check_digit(first_ten.substr(0, 9));
  return c >= 0 && c == first_ten[9] - '0';
}

void check_tax_code(std::string_view code, std::string_view field, std::vector<Violation>& out) {
  if (code.empty()) return;
  std::string_view head = code, suffix;
  bool ok;
  if (code.size() == 10) {
    ok = all_digits(code);
  } else if (code.size() == 13) {
    head = code.substr(0, 10), suffix = code.substr(10);
    ok = all_digits(code);
  } else if (code.size() == 14 && code[10] == '-') {
    head = code.substr(0, 10), suffix = code.substr(11);
    ok = all_digits(head) && all_digits(suffix);
  } else {
    ok = false;
  }
  if (ok && !suffix.empty() && suffix == "000") ok = false;
  if (!ok) {
    add(out, "correct.tax_format", field,
        "Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số-3 chữ số (001–999) cho chi nhánh / The tax code must be "
        "10 digits, or 10 digits-3 digits (001–999) for a branch");
    return;
  }
  if (!tax_check_digit_ok(head))
    add(out, "correct.tax_check_digit", field,
        "Chữ số kiểm tra (chữ số thứ 10) của mã số thuế sai / The tax code's check digit (10th digit) is wrong");
}

// ------------------------------------------------------------------------------------- names

void check_person_name(std::string_view name, std::string_view field, std::vector<Violation>& out) {
  static constexpr std::string_view kRule = "correct.name_chars";
  static constexpr size_t kMaxChars = 100;
  name = text::trim(name);
  if (name.empty()) return;
  if (!text::valid_utf8(name)) {
    add(out, kRule, field, "Họ tên không phải UTF-8 hợp lệ / The name is not valid UTF-8");
    return;
  }
  const std::string s = text::nfc(name);
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto len = static_cast<int32_t>(s.size());
  int32_t i = 0;
  size_t chars = 0;
  bool letters = false, after_letter = false;
  while (i < len) {
    UChar32 c;
    U8_NEXT(p, i, len, c);
    ++chars;
    if (c < 0) {  // cannot happen after valid_utf8, kept for safety
      add(out, kRule, field, "Họ tên không phải UTF-8 hợp lệ / The name is not valid UTF-8");
      return;
    }
    if (u_isalpha(c)) {
      letters = after_letter = true;
      continue;
    }
    const auto type = static_cast<UCharCategory>(u_charType(c));
    if ((type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK) && after_letter) continue;
    after_letter = false;
    if (c == 0x20 || c == 0x27 || c == 0x2019 || c == 0x2D || c == 0x2E) continue;  // space ' ’ - .
    if (u_isdigit(c) || type == U_LETTER_NUMBER || type == U_OTHER_NUMBER) {
      add(out, kRule, field, "Họ tên không được chứa chữ số / A name must not contain digits");
      return;
    }
    char hex[16];
    std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(c));
    add(out, kRule, field,
        std::string("Họ tên chứa ký tự không được phép (") + hex + ") / The name contains a character not allowed (" +
            hex + ")");
    return;
  }
  if (!letters) {
    add(out, kRule, field, "Họ tên phải có ít nhất một chữ cái / A name must contain at least one letter");
    return;
  }
  if (chars > kMaxChars)
    add(out, kRule, field, "Họ tên dài quá 100 ký tự / The name is longer than 100 characters");
}

// --------------------------------------------------------------------------------------- sex

void check_sex(std::string_view sex, std::string_view field, std::vector<Violation>& out) {
  if (sex.empty() || sex == "M" || sex == "F") return;
  add(out, "correct.sex", field, "Giới tính phải là M (nam) hoặc F (nữ) / Sex must be M (male) or F (female)");
}

}  // namespace lt::registry::rules
