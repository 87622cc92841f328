#include "platform/util/time.hpp"

#include <gtest/gtest.h>

using namespace lt::timeutil;

TEST(Time, IsoRoundTrip) {
  EXPECT_EQ(iso_utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso_utc(1751328000123), "2025-07-01T00:00:00.123Z");
  EXPECT_EQ(parse_iso("2025-07-01T00:00:00.123Z"), 1751328000123);
}

TEST(Time, ParsesOffsetsAndDates) {
  EXPECT_EQ(parse_iso("2025-07-01T07:00:00+07:00"), parse_iso("2025-07-01T00:00:00Z"));
  EXPECT_EQ(parse_iso("2025-07-01"), 1751328000000);
  EXPECT_FALSE(parse_iso("2025-02-29"));
  EXPECT_TRUE(parse_iso("2024-02-29"));
  EXPECT_FALSE(parse_iso("2025-13-01"));
  EXPECT_FALSE(parse_iso("2025-07-01T10:00"));  // a time needs a zone
  EXPECT_FALSE(parse_iso("garbage"));
}
