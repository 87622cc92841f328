#include "platform/util/csv.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace lt::csv;

TEST(Csv, QuotedFieldsSeparatorsAndLineBreaks) {
  std::istringstream in("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,,\n");
  Reader r(in);
  std::vector<std::string> f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f, (std::vector<std::string>{"x, y", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ(r.line(), 2u);
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(r.line(), 4u);
  EXPECT_EQ(f, (std::vector<std::string>{"last", "", ""}));
  EXPECT_FALSE(r.next(f));
}

TEST(Csv, UnterminatedQuoteIsReportedNotLost) {
  std::istringstream in("ok,1\n\"broken,2\n");
  Reader r(in);
  std::vector<std::string> f;
  ASSERT_TRUE(r.next(f));
  EXPECT_FALSE(r.error());
  ASSERT_TRUE(r.next(f));
  EXPECT_TRUE(r.error());
}

TEST(Csv, FormatQuotesOnlyWhenNeeded) {
  EXPECT_EQ(format_row({"a", "b c", "d,e", "f\"g"}), "a,b c,\"d,e\",\"f\"\"g\"");
}
