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

TEST(Csv, RecoveryKeepsEveryLineAfterABrokenQuote) {
  // Line 2 opens a quote that never closes; lines 3 and 4 must still be records of their own,
  // while line 5 holds a legitimate two-line field.
  std::istringstream in("id,address\n1,\"broken, Hà Nội\n2,Phường 5\n3,ok\n4,\"two\nlines\"\n5,end\n");
  Reader r(in);
  r.recover_broken_quotes(2);
  std::vector<std::string> f;
  std::vector<std::pair<size_t, bool>> seen;
  std::vector<std::vector<std::string>> rows;
  while (r.next(f)) {
    seen.emplace_back(r.line(), r.error());
    rows.push_back(f);
  }
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(seen[1], std::make_pair(size_t{2}, true));
  EXPECT_EQ(rows[1][0], "1");
  EXPECT_EQ(rows[2], (std::vector<std::string>{"2", "Phường 5"}));
  EXPECT_EQ(seen[2], std::make_pair(size_t{3}, false));
  EXPECT_EQ(rows[4], (std::vector<std::string>{"4", "two\nlines"}));
  EXPECT_EQ(seen[5], std::make_pair(size_t{7}, false));
  EXPECT_EQ(rows[5], (std::vector<std::string>{"5", "end"}));
}
