#include "platform/util/text.hpp"

#include <gtest/gtest.h>

using namespace lt::text;

namespace {
// One code point (below U+10000) as UTF-8.
std::string utf8(char32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}
}  // namespace

TEST(Text, ValidUtf8) {
  EXPECT_TRUE(valid_utf8("Phường Dịch Vọng Hậu"));
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_FALSE(valid_utf8("\xff"));
  EXPECT_FALSE(valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST(Text, FoldRemovesDiacriticsAndCase) {
  EXPECT_EQ(fold("Phường Hòa Hải"), "phuong hoa hai");
  EXPECT_EQ(fold("Đắk Lắk"), "dak lak");
  EXPECT_EQ(fold("ĐỒNG THÁP"), "dong thap");
  EXPECT_EQ(fold("Xã Ea Kly"), "xa ea kly");
  // NFD input folds the same as NFC.
  EXPECT_EQ(fold("Ho\xcc\x80" "a"), "hoa");
}

TEST(Text, NfcComposes) {
  EXPECT_EQ(nfc("Thu\xcc\xa3y"), "Thụy");
  EXPECT_EQ(nfc("abc"), "abc");
}

// The fast table path must agree with ICU's transliterator on every Latin code point it handles.
TEST(Text, FastFoldAgreesWithIcuOnLatin) {
  int checked = 0;
  for (char32_t cp = 0xC0; cp <= 0x1EFF; ++cp) {
    if (cp == 0x250) cp = 0x1E00;
    std::string s = "x" + utf8(cp) + "y";
    // Reference: the same rules through NFD + ICU only (a string with a non-Latin letter forces that path).
    std::string ref = fold(s + "\xce\xa9");  // + Ω
    std::string fast = fold(s);
    EXPECT_EQ(fast + "ω", ref) << "U+" << std::hex << static_cast<uint32_t>(cp);
    ++checked;
  }
  EXPECT_GT(checked, 500);
}

// nfc() returns text made only of code points below U+0300 or in U+1E00..U+1EFF as it is, without
// ICU: ICU must agree that every such code point is already NFC (the reference string ends in a
// Greek letter, which takes ICU's path), and a combining mark after one of them still composes.
TEST(Text, NfcFastPathAgreesWithIcu) {
  int checked = 0;
  for (char32_t cp = 0x20; cp <= 0x1EFF; ++cp) {
    if (cp == 0x300) cp = 0x1E00;
    std::string s = "x" + utf8(cp) + "y";
    EXPECT_EQ(nfc(s), s);
    EXPECT_EQ(nfc(s + "\xce\xa9"), s + "\xce\xa9") << "U+" << std::hex << static_cast<uint32_t>(cp);
    ++checked;
  }
  EXPECT_GT(checked, 900);
  EXPECT_EQ(nfc("\xe1\xba\xa1\xcc\x82"), "\xe1\xba\xad");  // ạ + combining circumflex = ậ
  EXPECT_EQ(nfc("Ho\xcc\x80" "a"), "Hòa");
  EXPECT_EQ(nfc("\xc3"), "\xc3") << "malformed text is left to ICU, which does not crash";
}

TEST(Text, ToneKeyIgnoresTonePlacementButKeepsTones) {
  EXPECT_EQ(tone_key("Hoà"), tone_key("Hòa"));
  EXPECT_EQ(tone_key("Thuỵ"), tone_key("Thụy"));
  EXPECT_EQ(tone_key("khoẻ"), tone_key("khỏe"));
  EXPECT_EQ(tone_key("HOÀ BÌNH"), tone_key("hòa bình"));
  EXPECT_EQ(tone_key("Ho\xcc\x80" "a"), tone_key("Hòa"));  // NFD
  EXPECT_NE(tone_key("Hòa"), tone_key("Hóa"));
  EXPECT_NE(tone_key("Hòa"), tone_key("Hoa"));
  EXPECT_NE(tone_key("Đông"), tone_key("Dông"));
  EXPECT_NE(tone_key("Phường 5"), tone_key("Phường 15"));
}
