#include "platform/http/router.hpp"

#include <gtest/gtest.h>

using namespace lt::http;

namespace {
Route route(std::string m, std::string p, std::string perm = "public") {
  return Route{std::move(m), std::move(p), std::move(perm), "", [](Request&) { return Response{}; }};
}
}  // namespace

TEST(Router, MatchesLiteralsBeforeParameters) {
  Router r;
  r.add(route("GET", "/api/v1/accounts/{id}"));
  r.add(route("GET", "/api/v1/accounts/me"));
  auto m = r.match("GET", "/api/v1/accounts/me");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/accounts/me");
  m = r.match("GET", "/api/v1/accounts/42");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/accounts/{id}");
  EXPECT_EQ(m.params.at("id"), "42");
}

TEST(Router, DistinguishesUnknownPathFromWrongMethod) {
  Router r;
  r.add(route("GET", "/a/{x}/b"));
  r.add(route("POST", "/a/{x}/b"));
  auto m = r.match("DELETE", "/a/1/b");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_known);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "POST"}));
  m = r.match("GET", "/a/1/c");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.path_known);
}

TEST(Router, RestParameterTakesTheRemainingPath) {
  Router r;
  r.add(route("GET", "/r1/{instance}/{rest...}"));
  auto m = r.match("GET", "/r1/VN/GOV/123/sub/svc/a/b");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("instance"), "VN");
  EXPECT_EQ(m.params.at("rest"), "GOV/123/sub/svc/a/b");
}

TEST(Router, HeadFallsBackToGet) {
  Router r;
  r.add(route("GET", "/healthz"));
  EXPECT_NE(r.match("HEAD", "/healthz").route, nullptr);
}

TEST(Router, RejectsRoutesWithoutPermissionAndDuplicates) {
  Router r;
  EXPECT_THROW(r.add(route("GET", "/x", "")), std::logic_error);
  r.add(route("GET", "/x"));
  EXPECT_THROW(r.add(route("GET", "/x")), std::logic_error);
}
