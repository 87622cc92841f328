#pragma once
// Time in storage is UTC, as ISO-8601 text with milliseconds ("2026-11-23T06:38:00.123Z"), which
// sorts correctly as text on both SQLite and PostgreSQL.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lt::timeutil {

// Milliseconds since the Unix epoch, from the system clock.
int64_t now_ms();
// "YYYY-MM-DDTHH:MM:SS.mmmZ"
std::string iso_utc(int64_t ms);
inline std::string now_iso() { return iso_utc(now_ms()); }
// Parses "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)" or "YYYY-MM-DD" (midnight UTC).
std::optional<int64_t> parse_iso(std::string_view s);
// Days since 1970-01-01 for a civil date (proleptic Gregorian), and back.
int64_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int& y, unsigned& m, unsigned& d);
bool valid_date(int y, int m, int d);

}  // namespace lt::timeutil
