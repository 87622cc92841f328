#pragma once
// Text rules: every string the system stores is valid UTF-8 in NFC; search folds Vietnamese
// diacritics (including đ/Đ) and case.
#include <string>
#include <string_view>

namespace lt::text {

bool valid_utf8(std::string_view s);
// Unicode NFC. Input must be valid UTF-8.
std::string nfc(std::string_view s);
// True when `s` is valid UTF-8 and plainly NFC: every code point below U+0300 (no combining marks)
// or precomposed Latin (U+1E00..U+1EFF), as Vietnamese is usually written. nfc() of such text is the
// text itself; callers on hot paths test this first to skip a copy and a validation pass.
bool plainly_nfc(std::string_view s);
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
