#pragma once
// Text rules: every string the system stores is valid UTF-8 in NFC; search folds Vietnamese
// diacritics (including đ/Đ) and case.
#include <string>
#include <string_view>

namespace lt::text {

bool valid_utf8(std::string_view s);
// Unicode NFC. Input must be valid UTF-8.
std::string nfc(std::string_view s);
// Lower case, diacritics removed, đ→d: "Phường Hòa Hải" → "phuong hoa hai".
std::string fold(std::string_view s);
// Trims ASCII white space at both ends.
std::string_view trim(std::string_view s);

}  // namespace lt::text
