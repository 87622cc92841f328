// The HTTP layer of the real server: bad input, limits, headers, static files, shutdown, timeouts.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "platform/http/client.hpp"
#include "platform/db/db.hpp"
#include "support/server.hpp"
#include "support/testdb.hpp"

using namespace lt;
namespace bj = boost::json;

class Http : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { srv = new test::Server(); }
  static void TearDownTestSuite() {
    EXPECT_EQ(srv->stop(SIGTERM), 0) << srv->log();
    delete srv;
  }
  static test::Server* srv;
};
test::Server* Http::srv = nullptr;

namespace {
std::string unhex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out += static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16));
  return out;
}
}  // namespace

// Every case in bad_input_cases.json answers its status with {"error": {code, message, field}}.
TEST_F(Http, BadInputCasesFromFile) {
  std::ifstream in(std::string(LT_SOURCE_DIR) + "/tests/api/bad_input_cases.json");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto cases = bj::parse(text).as_array();
  ASSERT_GE(cases.size(), 30u);
  std::map<std::string, std::string> tokens;
  for (const auto& cv : cases) {
    const auto& c = cv.as_object();
    std::string name(c.at("name").as_string());
    std::string body;
    if (c.contains("body")) body = std::string(c.at("body").as_string());
    if (c.contains("body_hex")) body = unhex(std::string(c.at("body_hex").as_string()));
    if (c.contains("body_repeat")) {
      const auto& r = c.at("body_repeat").as_object();
      body = std::string(r.at("prefix").as_string());
      for (int i = 0; i < r.at("times").as_int64(); ++i) body += r.at("unit").as_string();
      body += r.at("suffix").as_string();
    }
    std::vector<std::pair<std::string, std::string>> headers;
    if (c.contains("as")) {
      std::string user(c.at("as").as_string());
      if (!tokens.contains(user)) tokens[user] = srv->login(user);
      headers.emplace_back("Authorization", "Bearer " + tokens[user]);
    }
    if (c.contains("auth")) headers.emplace_back("Authorization", std::string(c.at("auth").as_string()));
    if (c.contains("headers"))
      for (const auto& [k, v] : c.at("headers").as_object()) headers.emplace_back(std::string(k), std::string(v.as_string()));
    auto r = srv->call(std::string(c.at("method").as_string()), std::string(c.at("path").as_string()), body, headers);
    EXPECT_EQ(r.status, c.at("status").as_int64()) << name << ": " << r.body;
    EXPECT_EQ(r.error_code(), c.at("code").as_string()) << name << ": " << r.body;
    auto v = r.json();
    ASSERT_TRUE(v.is_object() && v.at("error").as_object().contains("message") && v.at("error").as_object().contains("field"))
        << name << ": " << r.body;
    std::string field = c.contains("field") ? std::string(c.at("field").as_string()) : "";
    EXPECT_EQ(r.error_field(), field) << name;
    EXPECT_EQ(r.header("content-type"), "application/json") << name;
  }
}

TEST_F(Http, OversizedBodyIs413AndChangesNothing) {
  std::string big(2 * 1024 * 1024, 'x');
  auto r = srv->call("POST", "/api/v1/auth/login", "{\"username\":\"" + big + "\"}");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.error_code(), "payload_too_large");
  EXPECT_EQ(srv->get("/healthz").status, 200);  // the server is fine
}

TEST_F(Http, OversizedHeaderIs431) {
  auto raw = http::Client::raw("127.0.0.1", srv->port(),
                               "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
  EXPECT_NE(raw.find("431"), std::string::npos) << raw.substr(0, 200);
}

TEST_F(Http, MalformedRequestLineIs400) {
  auto raw = http::Client::raw("127.0.0.1", srv->port(), "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_NE(raw.find("400"), std::string::npos) << raw.substr(0, 200);
  EXPECT_NE(raw.find("\"error\""), std::string::npos);
}

TEST_F(Http, SecurityHeadersAndRequestId) {
  auto r = srv->call("GET", "/healthz", {}, {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("x-request-id"), "abc-123");
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.header("x-frame-options"), "DENY");
  EXPECT_NE(r.header("content-security-policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(r.header("strict-transport-security"), "");  // plain HTTP, no proxy said TLS
  auto g = srv->get("/healthz");
  EXPECT_FALSE(g.header("x-request-id").empty());
  auto bad = srv->call("GET", "/healthz", {}, {{"X-Request-Id", "has spaces and \"quotes\""}});
  EXPECT_NE(bad.header("x-request-id"), "has spaces and \"quotes\"");
}

TEST_F(Http, HealthReadinessMetrics) {
  EXPECT_EQ(srv->get("/healthz").json().at("status").as_string(), "ok");
  EXPECT_EQ(srv->get("/readyz").json().at("status").as_string(), "ready");
  srv->get("/api/v1/units");
  auto m = srv->get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("lienthong_http_requests_total{method=\"GET\",route=\"/api/v1/units\",status=\"200\"}"), std::string::npos)
      << m.body.substr(0, 500);
  EXPECT_NE(m.body.find("lienthong_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(m.body.find("lienthong_outbox_pending"), std::string::npos);
  EXPECT_NE(m.body.find("lienthong_db_pool_in_use"), std::string::npos);
}

TEST_F(Http, HeadAnswersLikeGetWithoutBody) {
  auto r = srv->call("HEAD", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(Http, ApiDescriptionAndDocs) {
  auto spec = srv->get("/api/openapi.json");
  ASSERT_EQ(spec.status, 200);
  EXPECT_EQ(spec.json().at("openapi").as_string().subview().substr(0, 2), "3.");
  auto docs = srv->get("/api/docs");
  EXPECT_EQ(docs.status, 200);
  EXPECT_NE(docs.header("content-type").find("text/html"), std::string::npos);
}

TEST_F(Http, UnitsFirstCut) {
  auto p = srv->get("/api/v1/units?level=province").json();
  EXPECT_EQ(p.at("total").as_int64(), 34);
  auto c = srv->get("/api/v1/units?level=commune").json();
  EXPECT_EQ(c.at("total").as_int64(), 3321);
  auto hn = srv->get("/api/v1/units/01/children").json();
  EXPECT_EQ(hn.at("total").as_int64(), 126);
  auto u = srv->get("/api/v1/units/00004").json();
  EXPECT_EQ(u.at("unit").at("name").as_string(), "Phường Ba Đình");
  EXPECT_EQ(u.at("unit").at("parent_code").as_string(), "01");
}

// A fresh server with a tiny static site and short timeouts.
TEST(HttpServer, StaticFilesSpaFallbackAndCaching) {
  test::Server::Options o;
  o.demo = false;
  auto web = test::temp_dir("web");
  std::filesystem::create_directories(web + "/assets");
  std::ofstream(web + "/index.html") << "<!doctype html><title>lienthong</title>";
  std::ofstream(web + "/assets/app-1234.js") << "console.log('hi')";
  o.env["LIENTHONG_WEB_DIR"] = web;
  test::Server s(o);
  auto idx = s.get("/");
  EXPECT_EQ(idx.status, 200);
  EXPECT_NE(idx.header("content-type").find("text/html"), std::string::npos);
  EXPECT_EQ(idx.header("cache-control"), "no-cache");
  auto spa = s.get("/admin/accounts");
  EXPECT_EQ(spa.status, 200);
  EXPECT_EQ(spa.body, idx.body);
  auto js = s.get("/assets/app-1234.js");
  EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_NE(js.header("cache-control").find("immutable"), std::string::npos);
  auto again = s.call("GET", "/assets/app-1234.js", {}, {{"If-None-Match", js.header("etag")}});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(s.get("/assets/missing.js").status, 404);
  EXPECT_EQ(s.get("/missing.png").status, 404);
  // Client routes may hold dots: a procedure code, a dossier code.
  EXPECT_EQ(s.get("/thu-tuc/1.001193").body, idx.body);
  EXPECT_EQ(s.get("/ho-so/000.21.04.H26-260213-0001").body, idx.body);
  EXPECT_EQ(s.get("/api/v1/nope").status, 404);
  EXPECT_EQ(s.stop(), 0);
}

TEST(HttpServer, SlowLorisIsCutOff) {
  test::Server::Options o;
  o.demo = false;
  o.env["LIENTHONG_HEADER_TIMEOUT_MS"] = "800";
  test::Server s(o);
  auto t0 = std::chrono::steady_clock::now();
  // An incomplete header that never ends: the server must close the connection on its own.
  auto out = http::Client::raw("127.0.0.1", s.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a",
                               std::chrono::seconds(10));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 5.0) << "the server kept a slow client for " << secs << " s";
  EXPECT_EQ(s.get("/healthz").status, 200);
  EXPECT_EQ(s.stop(), 0);
}

TEST(HttpServer, GracefulShutdownFinishesInFlightRequest) {
  test::Server::Options o;
  o.demo = false;
  test::Server s(o);
  // A request whose header has arrived but whose body is still coming when SIGTERM arrives.
  int fd = test::connect_tcp(s.port());
  ASSERT_GE(fd, 0);
  std::string body = R"({"username":"nobody","password":"Wrong-pass-1"})";
  std::string head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n";
  test::send_all(fd, head + body.substr(0, 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  s.signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // New connections are refused while the in-flight one is served.
  EXPECT_LT(test::connect_tcp(s.port()), 0);
  test::send_all(fd, body.substr(10));
  std::string answer = test::recv_all(fd, std::chrono::seconds(10));
  ::close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 401", 0), 0u) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_EQ(s.wait(), 0) << s.log();
  EXPECT_NE(s.log().find("stopped cleanly"), std::string::npos) << s.log();
}
