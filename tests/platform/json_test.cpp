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

// Text written straight as JSON must read back as the same string, whatever it holds.
TEST(JsonAppendString, RoundTripsThroughAParser) {
  for (std::string s : {std::string(""), std::string("Phường Ba Đình"), std::string("a \"quoted\" \\ path"),
                        std::string("line\nbreak\ttab\r"), std::string("\x01\x1f" "end"), std::string(1, '\0') + "nul",
                        std::string("ends with \\")}) {
    std::string out = "[";
    json::append_string(out, s);
    out += "]";
    auto v = boost::json::parse(out);
    ASSERT_TRUE(v.is_array()) << out;
    EXPECT_EQ(std::string(v.as_array().at(0).as_string()), s) << out;
  }
  // Eight bytes are checked at a time: a character to escape at any place of a longer text.
  for (char special : {'"', '\\', '\n', '\x1f', '\0'})
    for (size_t at = 0; at < 20; ++at) {
      std::string s = "Duong Tran Phu so 1234 - Hà Nội";  // ASCII where the byte is replaced
      s[at] = special;
      std::string out;
      json::append_string(out, s);
      EXPECT_EQ(std::string(boost::json::parse(out).as_string()), s) << at;
    }
  std::string out;
  json::append_string(out, "x\"y");
  EXPECT_EQ(out, "\"x\\\"y\"");
}
