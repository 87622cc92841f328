#pragma once
// Text rules: every string the system stores is valid UTF-8 in NFC; search folds Vietnamese
// diacritics (including đ/Đ) and case.
#include <string>
#include <string_view>

namespace lt::text {

bool valid_utf8(std::string_view s);
// Unicode NFC. Input must be valid UTF-8.
std::string nfc(std::string_view s);
// Lower case, diacritics removed, đ→d: "Phường Hòa Hải" → "phuong hoa hai". Accepts NFC or NFD
// input. Latin text goes through a table built once from ICU's decompositions (fast path, a few ns
// a character); anything else goes through an ICU transliterator.
std::string fold(std::string_view s);
void fold_append(std::string_view s, std::string& out);
// Lower case with the Vietnamese tone marks moved to the end of each word as a digit, quality marks
// (â ê ô ơ ư ă đ) kept: old and new tone placement give the same key ("Hoà" and "Hòa" → "hoa2"...
// exactly: "hoa" + tone). NFC or NFD input.
std::string tone_key(std::string_view s);
// Trims ASCII white space at both ends.
std::string_view trim(std::string_view s);

}  // namespace lt::text
