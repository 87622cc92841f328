#pragma once
// Strict reading of JSON request bodies: every field is checked for presence and type, strings are
// NFC-normalised, and fields the endpoint does not know are rejected (400 unknown_field), so a typo
// in a client never silently drops data.
#include <boost/json.hpp>

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace lt::json {

namespace bj = boost::json;

// Appends `s` to `out` as a JSON string literal (quotes included), for responses written straight
// as text: runs of plain characters are copied at once; quotes, backslashes and control characters
// are escaped. `s` must be valid UTF-8 (stored text is).
void append_string(std::string& out, std::string_view s);

// Parses a request body as a JSON object or throws ApiError 400 (invalid_json / invalid_type).
bj::object parse_object(std::string_view body);

class Reader {
 public:
  explicit Reader(const bj::object& obj) : obj_(obj) {}
  // Required/optional string. max_len counts bytes. Empty strings are allowed unless non_empty.
  std::string str(std::string_view key, size_t max_len = 1000, bool non_empty = true);
  std::optional<std::string> opt_str(std::string_view key, size_t max_len = 1000);
  int64_t i64(std::string_view key);
  std::optional<int64_t> opt_i64(std::string_view key);
  std::optional<bool> opt_bool(std::string_view key);
  bool has(std::string_view key) const { return obj_.contains(key); }
  // Any JSON value, for fields the caller checks itself (marked as read; nullptr when absent or null).
  const bj::value* value(std::string_view key) { return get(key); }
  // Call last: rejects any field not read (400 unknown_field).
  void done() const;

 private:
  const bj::value* get(std::string_view key);
  const bj::object& obj_;
  std::set<std::string, std::less<>> seen_;
};

std::string serialize(const bj::value& v);
// A value or JSON null.
inline bj::value nullable(const std::optional<std::string>& s) {
  return s ? bj::value(*s) : bj::value(nullptr);
}

}  // namespace lt::json
