#include "platform/files/content_type.hpp"

#include <algorithm>

#include "platform/util/text.hpp"

namespace lt::files {

namespace {
struct Kind {
  std::string_view mime;
  std::string_view magic;  // what such a file starts with (empty: any)
  bool utf8;               // text that must be valid UTF-8
};
constexpr Kind kKinds[] = {
    {"application/pdf", "%PDF-", false},       {"image/jpeg", "\xFF\xD8\xFF", false}, {"image/png", "\x89PNG\r\n\x1a\n", false},
    {"application/xml", "", true},             {"application/json", "", true},        {"text/plain", "", true},
};
}  // namespace

std::string base_mime(std::string_view ct) {
  std::string m(text::trim(ct.substr(0, ct.find(';'))));
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return m;
}

std::string check_content(std::string_view mime, std::string_view bytes, std::initializer_list<std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), mime) == allowed.end()) return "unsupported_type";
  if (bytes.empty()) return "empty_file";
  for (const auto& k : kKinds)
    if (k.mime == mime) return bytes.starts_with(k.magic) && (!k.utf8 || text::valid_utf8(bytes)) ? "" : "content_mismatch";
  return "unsupported_type";
}

}  // namespace lt::files
