#pragma once
// Data-quality rules of the base registries that judge one field (or a few fields of one record) on
// its own: the "correct" rules of docs/REGISTRY.md. Pure functions: no database, no clock, no I/O.
//
// Each check appends zero or more Violations to `out`; a rule code is reported at most once per call.
// An EMPTY value is never a violation here: whether a field is required is the caller's
// `sufficient.<field>` rule. Values are judged as given (no trimming, no separators removed), except
// names, which are trimmed of ASCII white space at both ends.
//
// Rule codes:
//   correct.date_invalid     not a real calendar date in the accepted form
//   correct.date_future      a date after `today`
//   correct.id_format        personal ID not exactly 12 ASCII digits (then nothing else is checked)
//   correct.id_province      digits 1–3 not "0" + one of the 63 province codes valid before 1 July 2025
//   correct.id_century_sex   digit 4 does not match the sex and/or the century of the birth year
//   correct.id_year          digits 5–6 are not the last two digits of the birth year
//   correct.tax_format       tax code not 10 digits, 13 digits, or "10 digits-3 digits" (branch 001–999)
//   correct.tax_check_digit  the 10th digit is not the check digit of the first nine
//   correct.name_chars       a person's name with digits, symbols, invalid UTF-8, no letter, or > 100 characters
//   correct.sex              sex not "M" or "F"
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace lt::registry::rules {

struct Violation {
  std::string rule;     // e.g. "correct.id_year"
  std::string field;    // the input field, e.g. "id_number", "birth_date"
  std::string message;  // "Vietnamese / English"
};

// Birth dates of old records: "YYYY-MM-DD", "YYYY-MM" or "YYYY"; month/day 0 when unknown.
struct PartialDate {
  int year = 0, month = 0, day = 0;
  // Back to the canonical text: "1987", "1987-03", "1987-03-09".
  std::string str() const;
};
// Exactly one of the three forms, ASCII digits, zero-padded, a real date of the proleptic Gregorian
// calendar (leap years), year 0001–9999; anything else (spaces, "1987-3-9", month 13, day 00) → nullopt.
std::optional<PartialDate> parse_partial_date(std::string_view s);

// `today` is "YYYY-MM-DD" (passed in, never read from the clock here); std::invalid_argument if not.
// A partial date is in the future only when all of it is: "2026" is not future on 2026-01-01,
// "2026-12" is future on 2026-11-30. Today itself is not future.
void check_birth_date(std::string_view value, std::string_view field, std::string_view today,
                      std::vector<Violation>& out);  // correct.date_invalid | correct.date_future
// The same for dates that must be complete: "YYYY-MM-DD" only.
void check_date(std::string_view value, std::string_view field, std::string_view today,
                std::vector<Violation>& out);  // correct.date_invalid | correct.date_future

// 12-digit personal identification number (CCCD): digits 1–3 "0" + birth-province code (pre-2025),
// digit 4 century and sex (0/1 1900s, 2/3 2000s, 4/5 2100s, 6/7 2200s, 8/9 1800s; even male, odd
// female), digits 5–6 the last two digits of the birth year, digits 7–12 random.
// `old_provinces`: the 63 two-digit province codes valid before 1 July 2025 (data, not a constant).
// `birth`: nullopt (missing or unparseable) skips the century and year checks; `sex` other than
// "M"/"F" skips the sex part of the century/sex check. Violations name the field "id_number".
void check_personal_id(std::string_view id, const std::optional<PartialDate>& birth, std::string_view sex,
                       const std::set<std::string, std::less<>>& old_provinces, std::vector<Violation>& out);

// Enterprise/tax code: "NNNNNNNNNN" (the 10th digit checks the first nine), or a branch
// "NNNNNNNNNN-NNN" / "NNNNNNNNNNNNN" (the first ten carry the check digit, suffix 001–999).
// correct.tax_format (then the check digit is not judged) | correct.tax_check_digit.
void check_tax_code(std::string_view code, std::string_view field, std::vector<Violation>& out);
// True when `first_ten` is 10 ASCII digits whose last is the check digit of the first nine.
bool tax_check_digit_ok(std::string_view first_ten);
// The check digit of nine ASCII digits: 10 − (Σ wᵢ·dᵢ mod 11) with w = 31 29 23 19 17 13 7 5 3;
// -1 when that is 10 (no code is ever issued with such a prefix) or when the input is not nine digits.
int tax_check_digit(std::string_view first_nine);

// Person names: Unicode letters (Vietnamese diacritics in NFC or NFD, other scripts too), combining
// marks after a letter, U+0020 spaces, and the marks real names use: ' ’ - . ; at least one letter;
// at most 100 characters (code points after NFC, ends trimmed). Digits, other symbols, emoji, tabs,
// no-break spaces and invalid UTF-8 → correct.name_chars. Empty (after trimming) → nothing.
void check_person_name(std::string_view name, std::string_view field, std::vector<Violation>& out);

// Sex: "M" or "F" exactly, else correct.sex (empty → nothing).
void check_sex(std::string_view sex, std::string_view field, std::vector<Violation>& out);

}  // namespace lt::registry::rules
