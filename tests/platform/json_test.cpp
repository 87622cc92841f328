#include "platform/util/json.hpp"

#include <gtest/gtest.h>

#include "platform/util/error.hpp"

using namespace lt;

namespace {
// Runs f and returns the ApiError's "code:field", or "ok".
template <class F>
std::string outcome(F f) {
  try {
    f();
    return "ok";
  } catch (const ApiError& e) {
    return e.code() + ":" + e.field();
  }
}
}  // namespace

TEST(JsonReader, TableOfBodies) {
  struct Case {
    std::string body, expect;
  } cases[] = {
      {R"({"username":"a","password":"b"})", "ok"},
      {R"({"username":"a"})", "missing_field:password"},
      {R"({"username":"a","password":"b","extra":1})", "unknown_field:extra"},
      {R"({"username":5,"password":"b"})", "invalid_type:username"},
      {R"({"username":"   ","password":"b"})", "missing_field:username"},
      {R"({"username":null,"password":"b"})", "missing_field:username"},
      {R"([1,2])", "invalid_type:"},
      {R"({"username":"a",)", "invalid_json:"},
      {"", "invalid_json:"},
      {"{\"username\":\"\xff\",\"password\":\"b\"}", "invalid_encoding:"},
      {R"({"username":"a\u0000b","password":"b"})", "invalid_value:username"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(outcome([&] {
                auto o = json::parse_object(c.body);
                json::Reader r(o);
                r.str("username");
                r.str("password");
                r.done();
              }),
              c.expect)
        << c.body;
  }
}

TEST(JsonReader, NormalisesStringsToNfc) {
  // "Hòa" written with a combining grave accent (NFD) comes out precomposed (NFC).
  auto o = json::parse_object("{\"name\":\"Ho\xcc\x80" "a\"}");
  json::Reader r(o);
  EXPECT_EQ(r.str("name"), "H\xc3\xb2" "a");
}

TEST(JsonReader, RejectsTooLongValues) {
  auto o = json::parse_object(R"({"name":"abcdef"})");
  json::Reader r(o);
  EXPECT_EQ(outcome([&] { r.str("name", 3); }), "too_long:name");
}
