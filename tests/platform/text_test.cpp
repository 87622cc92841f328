#include "platform/util/text.hpp"

#include <gtest/gtest.h>

using namespace lt::text;

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
