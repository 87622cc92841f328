#pragma once
// Checks that a file is what its Content-Type says, for uploads (personal data store, dossiers).
#include <initializer_list>
#include <string>
#include <string_view>

namespace lt::files {

// "Application/PDF; charset=x" → "application/pdf".
std::string base_mime(std::string_view content_type);

// Whether `mime` is one of `allowed` and `bytes` start as such a file does (PDF, JPEG and PNG by
// their signature; JSON, XML and text must be UTF-8). Returns "" when acceptable, else the error
// code: "unsupported_type", "empty_file" or "content_mismatch".
std::string check_content(std::string_view mime, std::string_view bytes, std::initializer_list<std::string_view> allowed);

}  // namespace lt::files
