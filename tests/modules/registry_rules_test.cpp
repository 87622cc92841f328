// Data-quality rules of the registry module, driven by tests/data/registry_rules_cases.csv (format in
// docs/REGISTRY.md), plus direct tests of the check digit and of what a CSV cannot carry.
// Pure: no database, no network (it runs in storage_tests, once per backend, at no cost).
#include "modules/registry/rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "platform/util/csv.hpp"
#include "platform/util/text.hpp"

using namespace lt::registry::rules;

namespace {

using Provinces = std::set<std::string, std::less<>>;

// The 63 pre-2025 province codes, from the data the units module imports (not a constant in code).
const Provinces& old_provinces() {
  static const Provinces codes = [] {
    Provinces out;
    std::ifstream in(LT_SOURCE_DIR "/data/admin-units/old_units_pre2025.csv", std::ios::binary);
    if (!in) throw std::runtime_error("cannot open data/admin-units/old_units_pre2025.csv");
    lt::csv::Reader reader(in);
    std::vector<std::string> row;
    if (!reader.next(row) || row.empty() || row[0] != "province_code")
      throw std::runtime_error("old_units_pre2025.csv: unexpected header");
    while (reader.next(row))
      if (!row.empty() && !row[0].empty()) out.insert(row[0]);
    return out;
  }();
  return codes;
}

struct Case {
  size_t line = 0;
  std::string source, check, input, birth_date, sex, today, expect;
};

std::vector<Case> load_cases() {
  std::ifstream in(LT_SOURCE_DIR "/tests/data/registry_rules_cases.csv", std::ios::binary);
  if (!in) throw std::runtime_error("cannot open tests/data/registry_rules_cases.csv");
  lt::csv::Reader reader(in);
  std::vector<std::string> row;
  const std::vector<std::string> header = {"source", "check", "input", "birth_date", "sex", "today", "expect_rules"};
  if (!reader.next(row) || row != header) throw std::runtime_error("registry_rules_cases.csv: unexpected header");
  std::vector<Case> cases;
  while (reader.next(row)) {
    if (reader.error() || row.size() != header.size())
      throw std::runtime_error("registry_rules_cases.csv: broken record at line " + std::to_string(reader.line()));
    cases.push_back({reader.line(), row[0], row[1], row[2], row[3], row[4], row[5], row[6]});
  }
  return cases;
}

// The rule codes reported, sorted and deduplicated, joined by '|'.
std::string codes(const std::vector<Violation>& v) {
  std::set<std::string> s;
  for (const auto& x : v) s.insert(x.rule);
  std::string out;
  for (const auto& c : s) out += (out.empty() ? "" : "|") + c;
  return out;
}

std::vector<Violation> run(const Case& c) {
  std::vector<Violation> out;
  if (c.check == "id")
    check_personal_id(c.input, parse_partial_date(c.birth_date), c.sex, old_provinces(), out);
  else if (c.check == "tax")
    check_tax_code(c.input, "tax_code", out);
  else if (c.check == "name")
    check_person_name(c.input, "full_name", out);
  else if (c.check == "birth_date")
    check_birth_date(c.input, "birth_date", c.today, out);
  else if (c.check == "date")
    check_date(c.input, "registration_date", c.today, out);
  else if (c.check == "sex")
    check_sex(c.input, "sex", out);
  else
    throw std::runtime_error("unknown check '" + c.check + "' at line " + std::to_string(c.line));
  return out;
}

}  // namespace

TEST(RegistryRules, OldProvincesFromData) {
  const auto& p = old_provinces();
  EXPECT_EQ(p.size(), 63u);
  EXPECT_TRUE(p.contains("01"));
  EXPECT_TRUE(p.contains("96"));
  EXPECT_FALSE(p.contains("03"));
  EXPECT_FALSE(p.contains("97"));
}

TEST(RegistryRules, CaseTable) {
  const auto cases = load_cases();
  ASSERT_GE(cases.size(), 120u);
  int failed = 0;
  for (const auto& c : cases) {
    std::vector<Violation> got;
    try {
      got = run(c);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "line " << c.line << " [" << c.source << "] " << c.check << " '" << c.input
                    << "' threw: " << e.what();
      ++failed;
      continue;
    }
    const std::string rules = codes(got);
    const size_t distinct = rules.empty() ? 0 : static_cast<size_t>(std::count(rules.begin(), rules.end(), '|') + 1);
    if (rules != c.expect || got.size() != distinct) {  // each rule at most once per call
      ++failed;
      ADD_FAILURE() << "line " << c.line << " [" << c.source << "] check=" << c.check << " input='" << c.input
                    << "' birth_date='" << c.birth_date << "' sex='" << c.sex << "' today='" << c.today
                    << "'\n  expected: '" << c.expect << "'\n  got:      '" << rules << "' (" << got.size()
                    << " violations)";
    }
    for (const auto& v : got) {
      EXPECT_FALSE(v.field.empty()) << "line " << c.line;
      EXPECT_NE(v.message.find(" / "), std::string::npos) << "line " << c.line << ": message not bilingual: " << v.message;
    }
  }
  EXPECT_EQ(failed, 0) << failed << " of " << cases.size() << " rows failed";
}

// Every rule code and every kind of check is exercised by the table; rows tagged "nfd" really are NFD
// (an editor that normalises the file on save would silently remove those cases).
TEST(RegistryRules, CaseTableCoverage) {
  const auto cases = load_cases();
  std::map<std::string, int> by_rule, by_check;
  for (const auto& c : cases) {
    ++by_check[c.check];
    size_t start = 0;
    while (start < c.expect.size()) {
      size_t bar = c.expect.find('|', start);
      if (bar == std::string::npos) bar = c.expect.size();
      ++by_rule[c.expect.substr(start, bar - start)];
      start = bar + 1;
    }
    if (c.source.find(" nfd") != std::string::npos) {
      EXPECT_NE(lt::text::nfc(c.input), c.input) << "line " << c.line << " is tagged nfd but is NFC";
    }
  }
  for (const char* rule : {"correct.date_invalid", "correct.date_future", "correct.id_format", "correct.id_province",
                           "correct.id_century_sex", "correct.id_year", "correct.tax_format", "correct.tax_check_digit",
                           "correct.name_chars", "correct.sex"})
    EXPECT_GE(by_rule[rule], 1) << rule;
  for (const char* check : {"id", "tax", "name", "birth_date", "date", "sex"}) EXPECT_GE(by_check[check], 1) << check;
}

TEST(RegistryRules, TaxCheckDigitRoundTrip) {
  std::mt19937 rng(20250701);
  std::uniform_int_distribution<int> digit(0, 9);
  int none = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string nine;
    for (int k = 0; k < 9; ++k) nine += static_cast<char>('0' + digit(rng));
    const int c = tax_check_digit(nine);
    ASSERT_GE(c, -1);
    ASSERT_LE(c, 9);
    int accepted = 0;
    for (char d = '0'; d <= '9'; ++d) accepted += tax_check_digit_ok(nine + d);
    if (c < 0) {
      ++none;
      EXPECT_EQ(accepted, 0) << nine << ": no code exists, yet one was accepted";
      continue;
    }
    EXPECT_EQ(accepted, 1) << nine;
    const std::string code = nine + static_cast<char>('0' + c);
    EXPECT_TRUE(tax_check_digit_ok(code)) << code;
    std::vector<Violation> out;
    check_tax_code(code, "tax_code", out);
    check_tax_code(code + "-001", "tax_code", out);
    check_tax_code(code + "999", "tax_code", out);
    EXPECT_TRUE(out.empty()) << code << ": " << codes(out);
    // Any other last digit is a check-digit error, never a format error.
    out.clear();
    check_tax_code(nine + static_cast<char>('0' + (c + 1) % 10), "tax_code", out);
    EXPECT_EQ(codes(out), "correct.tax_check_digit") << code;
  }
  // About one prefix in eleven has no check digit (sum ≡ 0 mod 11).
  EXPECT_GT(none, 50);
  EXPECT_LT(none, 150);
}

TEST(RegistryRules, TaxCheckDigitKnownValues) {
  EXPECT_EQ(tax_check_digit("030058856"), 9);  // Vinamilk 0300588569
  EXPECT_EQ(tax_check_digit("010010910"), 6);  // Viettel 0100109106
  EXPECT_EQ(tax_check_digit("090018928"), 4);  // Hòa Phát 0900189284
  EXPECT_EQ(tax_check_digit("031021384"), 0);  // check digit 0 (sum ≡ 10 mod 11)
  EXPECT_EQ(tax_check_digit("010000005"), -1);
  EXPECT_EQ(tax_check_digit("000000000"), -1);
  EXPECT_EQ(tax_check_digit("03005885"), -1);     // eight digits
  EXPECT_EQ(tax_check_digit("0300588569"), -1);   // ten digits
  EXPECT_EQ(tax_check_digit("03005885A"), -1);
  EXPECT_TRUE(tax_check_digit_ok("0300588569"));
  EXPECT_FALSE(tax_check_digit_ok("0300588568"));
  EXPECT_FALSE(tax_check_digit_ok("030058856"));
  EXPECT_FALSE(tax_check_digit_ok("0300588569-001"));
  EXPECT_FALSE(tax_check_digit_ok(""));
}

TEST(RegistryRules, PartialDateParseAndStr) {
  for (const char* s : {"1987", "1987-03", "1987-03-09", "2000-02-29", "0001", "9999-12-31"}) {
    auto d = parse_partial_date(s);
    ASSERT_TRUE(d) << s;
    EXPECT_EQ(d->str(), s);
  }
  auto d = parse_partial_date("1987-03");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->year, 1987);
  EXPECT_EQ(d->month, 3);
  EXPECT_EQ(d->day, 0);
  for (const char* s : {"", "1987-3", "1987-03-9", "1987-02-29", "0000", "1987-00", "+1987", "-987", "1987-03-09Z"})
    EXPECT_FALSE(parse_partial_date(s)) << s;
}

TEST(RegistryRules, TodayMustBeAFullDate) {
  std::vector<Violation> out;
  EXPECT_THROW(check_birth_date("1987", "birth_date", "2025-07", out), std::invalid_argument);
  EXPECT_THROW(check_date("1987-01-01", "d", "", out), std::invalid_argument);
  EXPECT_THROW(check_date("1987-01-01", "d", "2025-02-30", out), std::invalid_argument);
  EXPECT_NO_THROW(check_date("1987-01-01", "d", "2025-07-01", out));
  EXPECT_TRUE(out.empty());
}

// Invalid UTF-8 cannot live in a UTF-8 case file.
TEST(RegistryRules, NameInvalidUtf8) {
  for (std::string bad : {std::string("Nguy\xff" "n"), std::string("Nguy\xc3"), std::string("\xc0\xaf" "Anh"),
                          std::string("L\xed\xa0\x80")}) {
    std::vector<Violation> out;
    check_person_name(bad, "full_name", out);
    EXPECT_EQ(codes(out), "correct.name_chars");
  }
}

TEST(RegistryRules, ViolationCarriesFieldAndOneEntryPerRule) {
  std::vector<Violation> out;
  check_person_name("Nguyễn 3 Văn 4 😀", "father_name", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].field, "father_name");
  EXPECT_EQ(out[0].rule, "correct.name_chars");

  out.clear();
  check_personal_id("000087123456", parse_partial_date("2001"), "F", old_provinces(), out);
  ASSERT_EQ(out.size(), 3u);
  for (const auto& v : out) EXPECT_EQ(v.field, "id_number");

  out.clear();
  check_tax_code("0300588568", "legal_representative_tax_code", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].field, "legal_representative_tax_code");

  // Violations are appended, never cleared.
  check_sex("x", "sex", out);
  check_birth_date("2023-02-29", "birth_date", "2025-07-01", out);
  EXPECT_EQ(out.size(), 3u);
}
