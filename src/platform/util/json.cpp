#include "platform/util/json.hpp"

#include <cstdint>
#include <cstring>

#include "platform/util/error.hpp"
#include "platform/util/text.hpp"

namespace lt::json {

namespace {
// Whether any of 8 bytes is a quote, a backslash or below 0x20 (exact for the whole word; the
// classic "has zero byte" and "has byte less than n" tests, n <= 128).
bool needs_escape8(uint64_t v) {
  constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  auto has_zero = [&](uint64_t x) { return (x - ones) & ~x & highs; };
  return ((v - ones * 0x20) & ~v & highs) | has_zero(v ^ (ones * '"')) | has_zero(v ^ (ones * '\\'));
}
}  // namespace

void append_string(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  size_t run = 0;  // start of the plain run not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    // Eight plain bytes at a time (most text has nothing to escape).
    while (i + 8 <= s.size()) {
      uint64_t v;
      std::memcpy(&v, s.data() + i, 8);
      if (needs_escape8(v)) break;
      i += 8;
    }
    if (i >= s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    if (c != '"' && c != '\\' && c >= 0x20) continue;
    out.append(s, run, i - run);
    run = i + 1;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  out.append(s, run, s.size() - run);
  out += '"';
}

bj::object parse_object(std::string_view body) {
  if (!text::valid_utf8(body))
    throw ApiError::bad_request("invalid_encoding", "Nội dung không phải UTF-8 hợp lệ / Body is not valid UTF-8");
  boost::system::error_code ec;
  bj::parse_options opt;
  opt.max_depth = 32;
  bj::value v = bj::parse(body, ec, {}, opt);
  if (ec)
    throw ApiError::bad_request("invalid_json", "JSON không hợp lệ / Malformed JSON: " + ec.message());
  if (!v.is_object())
    throw ApiError::bad_request("invalid_type", "Nội dung phải là một đối tượng JSON / Body must be a JSON object");
  return std::move(v.as_object());
}

const bj::value* Reader::get(std::string_view key) {
  seen_.emplace(key);
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

std::optional<std::string> Reader::opt_str(std::string_view key, size_t max_len) {
  const bj::value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_string())
    throw ApiError::bad_request("invalid_type", "Trường phải là chuỗi / Field must be a string", std::string(key));
  std::string_view sv = v->as_string();
  if (sv.size() > max_len)
    throw ApiError::bad_request("too_long", "Giá trị quá dài / Value too long", std::string(key));
  if (sv.find('\0') != std::string_view::npos)
    throw ApiError::bad_request("invalid_value", "Giá trị chứa ký tự NUL / Value contains NUL", std::string(key));
  return text::nfc(sv);
}

std::string Reader::str(std::string_view key, size_t max_len, bool non_empty) {
  auto s = opt_str(key, max_len);
  if (!s) throw ApiError::bad_request("missing_field", "Thiếu trường bắt buộc / Missing required field", std::string(key));
  if (non_empty && text::trim(*s).empty())
    throw ApiError::bad_request("missing_field", "Trường không được để trống / Field must not be empty", std::string(key));
  return *s;
}

std::optional<int64_t> Reader::opt_i64(std::string_view key) {
  const bj::value* v = get(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v->as_uint64());
  throw ApiError::bad_request("invalid_type", "Trường phải là số nguyên / Field must be an integer", std::string(key));
}

int64_t Reader::i64(std::string_view key) {
  auto v = opt_i64(key);
  if (!v) throw ApiError::bad_request("missing_field", "Thiếu trường bắt buộc / Missing required field", std::string(key));
  return *v;
}

std::optional<bool> Reader::opt_bool(std::string_view key) {
  const bj::value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_bool())
    throw ApiError::bad_request("invalid_type", "Trường phải là true/false / Field must be a boolean", std::string(key));
  return v->as_bool();
}

void Reader::done() const {
  for (const auto& kv : obj_) {
    if (!seen_.contains(std::string_view(kv.key())))
      throw ApiError::bad_request("unknown_field", "Trường không được hỗ trợ / Unknown field", std::string(kv.key()));
  }
}

std::string serialize(const bj::value& v) { return bj::serialize(v); }

}  // namespace lt::json
