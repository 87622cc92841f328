// The data-exchange gateway over HTTP against the real server, with a real upstream HTTP server
// that counts what it receives (docs/EXCHANGE.md): X-Road REST calls are authenticated, checked
// against grants, forwarded with a signature the provider verifies with the published key, logged
// in a hash chain; faults come back as X-Road-style errors and nothing is forwarded.
#include <gtest/gtest.h>

#include "platform/crypto/crypto.hpp"
#include "platform/db/db.hpp"
#include "support/receiver.hpp"
#include "support/server.hpp"

using namespace lt;
namespace bj = boost::json;

namespace {
const char* kKey = "ltk_demo0000_hethong-mot-cua-dien-tu-thu-nghiem";
const char* kClient = "VN/GOV/000.00.00.H26/MOTCUA";
const char* kProvider = "VN/GOV/000.01.00.H26/HOTICH";
}  // namespace

class Exchange : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    crypto::init();
    upstream = new test::Receiver();
    srv = new test::Server(test::Server::Options{});
    admin = srv->login("sysadmin");
    auto me = srv->call("GET", "/api/v1/me", "", {{"X-API-Key", kKey}});
    ASSERT_EQ(me.status, 200) << me.body;
    int64_t account = me.json().at("account").at("id").as_int64();
    for (const char* id : {kClient, kProvider}) {
      auto r = srv->post("/api/v1/exchange/systems", {{"id", id}, {"name", id}, {"account_id", account}}, admin);
      ASSERT_EQ(r.status, 201) << r.body;
    }
    auto s = srv->post("/api/v1/exchange/services",
                       {{"provider", kProvider},
                        {"code", "birth-records"},
                        {"upstream", "http://127.0.0.1:" + std::to_string(upstream->port()) + "/api"},
                        {"methods", bj::array{"GET", "POST"}},
                        {"paths", bj::array{"/records"}},
                        {"timeout_ms", 1000},
                        {"max_body", 1000},
                        {"openapi", R"({"openapi":"3.0.0","info":{"title":"Birth records","version":"1"},"paths":{}})"}},
                       admin);
    ASSERT_EQ(s.status, 201) << s.body;
    service_id = s.json().at("service").at("id").as_int64();
    auto g = srv->post("/api/v1/exchange/grants", {{"client", kClient}, {"service_id", service_id}, {"methods", bj::array{"GET", "POST"}}}, admin);
    ASSERT_EQ(g.status, 201) << g.body;
    grant_id = g.json().at("id").as_int64();
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(srv->stop(), 0) << srv->log();
    delete srv;
    delete upstream;
  }
  static test::Reply call(const std::string& method, const std::string& path, const std::string& body = {}, const std::string& client = kClient,
                          const std::string& key = kKey) {
    std::vector<std::pair<std::string, std::string>> h = {{"X-Road-Client", client}, {"X-API-Key", key}};
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    return srv->call(method, path, body, h);
  }
  static std::string svc(const std::string& rest) { return std::string("/r1/") + kProvider + "/birth-records" + rest; }
  static test::Server* srv;
  static test::Receiver* upstream;
  static std::string admin;
  static int64_t service_id, grant_id;
};
test::Server* Exchange::srv = nullptr;
test::Receiver* Exchange::upstream = nullptr;
std::string Exchange::admin;
int64_t Exchange::service_id = 0, Exchange::grant_id = 0;

TEST_F(Exchange, AGrantedCallIsForwardedSignedAndLogged) {
  upstream->set_body(R"({"record":"ok"})");
  size_t before = upstream->requests().size();
  auto r = srv->call("POST", svc("/records/42?full=1"), R"({"q":1})",
                     {{"X-Road-Client", kClient}, {"X-API-Key", kKey}, {"Content-Type", "application/json"}, {"X-Road-Id", "msg-1"},
                      {"X-Road-UserId", "VN123"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"record":"ok"})");
  EXPECT_EQ(r.header("x-road-id"), "msg-1");
  EXPECT_FALSE(r.header("x-road-request-id").empty());
  EXPECT_EQ(r.header("x-road-request-hash"), crypto::base64url(crypto::sha256_raw(R"({"q":1})")));
  ASSERT_EQ(upstream->requests().size(), before + 1);
  auto q = upstream->requests().back();
  EXPECT_EQ(q.method, "POST");
  EXPECT_EQ(q.target, "/api/records/42?full=1");
  EXPECT_EQ(q.body, R"({"q":1})");
  EXPECT_EQ(q.header("x-road-client"), kClient);
  EXPECT_EQ(q.header("x-road-userid"), "VN123");
  // The provider verifies the signature with the gateway's published key.
  std::string sig = q.header("x-lienthong-signature");
  auto field = [&](const std::string& name) {
    size_t at = sig.find(name + "=\"");
    return sig.substr(at + name.size() + 2, sig.find('"', at + name.size() + 2) - at - name.size() - 2);
  };
  EXPECT_EQ(field("digest"), crypto::sha256_hex(R"({"q":1})"));
  auto keys = srv->get("/api/v1/keys").json().at("keys").as_array();
  std::string pub;
  for (const auto& k : keys)
    if (k.at("kid").as_string() == field("keyId")) pub = *crypto::base64url_decode(std::string(k.at("x").as_string()));
  ASSERT_FALSE(pub.empty());
  std::string text = "lienthong-gateway-v1\nPOST\n/records/42?full=1\n" + field("time") + "\n" + field("digest") + "\n" + kClient + "\n";
  EXPECT_TRUE(crypto::ed25519_verify(pub, text, *crypto::base64url_decode(field("signature"))));
  EXPECT_FALSE(crypto::ed25519_verify(pub, text + "x", *crypto::base64url_decode(field("signature"))));
  // The message is in the log (written in group commits, shortly after).
  bool found = false;
  for (int i = 0; i < 50 && !found; ++i) {
    auto log = srv->get("/api/v1/exchange/messages?client=" + std::string(kClient), admin);
    found = log.body.find("\"message_id\":\"msg-1\"") != std::string::npos;
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(found);
}

TEST_F(Exchange, RefusedCallsAreXRoadErrorsAndNothingIsForwarded) {
  size_t before = upstream->requests().size();
  struct Case {
    std::string method, path, body, client, key;
    int status;
    std::string type;
  };
  std::vector<Case> cases = {
      {"GET", svc("/records/1"), "", "VN/GOV/UNKNOWN/SYS", kKey, 401, "Client.Authentication"},
      {"GET", svc("/records/1"), "", kClient, "ltk_wrong_key", 401, "Client.Authentication"},
      {"GET", svc("/records/1"), "", "not-an-id", kKey, 401, "Client.BadRequest.InvalidClient"},
      {"GET", svc("/other"), "", kClient, kKey, 403, "Client.AccessDenied"},
      {"DELETE", svc("/records/1"), "", kClient, kKey, 405, "Client.MethodNotAllowed"},
      {"GET", std::string("/r1/") + kProvider + "/nope/x", "", kClient, kKey, 404, "Client.UnknownService"},
      {"POST", svc("/records"), std::string(2000, 'x'), kClient, kKey, 413, "Client.BodyTooLarge"},
      {"GET", svc("/records/1"), "", kProvider, kKey, 403, "Client.AccessDenied"},  // the provider itself has no grant
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    auto r = call(c.method, c.path, c.body, c.client, c.key);
    EXPECT_EQ(r.status, c.status) << "case " << i << ": " << r.body;
    EXPECT_EQ(r.header("x-road-error"), c.type) << "case " << i << ": " << r.body;
    EXPECT_EQ(r.json().at("type").as_string(), c.type) << "case " << i;
  }
  EXPECT_EQ(upstream->requests().size(), before);
}

TEST_F(Exchange, UpstreamFaultsAreServerErrorsWithoutHanging) {
  upstream->set_delay_ms(1500);  // the service allows 1 s
  auto slow = call("GET", svc("/records/slow"));
  EXPECT_EQ(slow.status, 504) << slow.body;
  EXPECT_EQ(slow.header("x-road-error"), "Server.ServiceTimeout");
  upstream->set_delay_ms(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // the receiver finishes the slow answer
  upstream->set_raw("THIS IS NOT HTTP\r\n\r\n");
  auto garbage = call("GET", svc("/records/garbage"));
  EXPECT_EQ(garbage.status, 502) << garbage.body;
  EXPECT_EQ(garbage.header("x-road-error").substr(0, 7), "Server.");
  upstream->set_body(std::string(100000, 'y'), "text/plain");
  auto ok = call("GET", svc("/records/big"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body.size(), 100000u);
  upstream->set_body(std::string(11u << 20, 'z'), "text/plain");  // over the 10 MiB an answer may have
  auto huge = call("GET", svc("/records/huge"));
  EXPECT_EQ(huge.status, 502) << huge.body.substr(0, 200);
  EXPECT_EQ(huge.header("x-road-error"), "Server.ServiceFailed.TooLarge");
  upstream->set_body("{}");
  // A service whose upstream is down.
  auto s = srv->post("/api/v1/exchange/services",
                     {{"provider", kProvider}, {"code", "down"}, {"upstream", "http://127.0.0.1:9/x"}, {"timeout_ms", 500}}, admin);
  ASSERT_EQ(s.status, 201) << s.body;
  ASSERT_EQ(srv->post("/api/v1/exchange/grants", {{"client", kClient}, {"service_id", s.json().at("service").at("id").as_int64()}}, admin).status, 201);
  auto down = call("GET", std::string("/r1/") + kProvider + "/down/ping");
  EXPECT_EQ(down.status, 502) << down.body;
  EXPECT_EQ(down.header("x-road-error"), "Server.ServiceFailed.Unreachable");
}

TEST_F(Exchange, MetaservicesAndRevocation) {
  auto clients = srv->get("/r1/VN/listClients");
  ASSERT_EQ(clients.status, 200);
  EXPECT_NE(clients.body.find("MOTCUA"), std::string::npos);
  auto methods = call("GET", std::string("/r1/") + kProvider + "/listMethods");
  ASSERT_EQ(methods.status, 200) << methods.body;
  EXPECT_NE(methods.body.find("birth-records"), std::string::npos);
  auto allowed = call("GET", std::string("/r1/") + kProvider + "/allowedMethods");
  EXPECT_NE(allowed.body.find("birth-records"), std::string::npos);
  auto api = call("GET", std::string("/r1/") + kProvider + "/getOpenAPI?serviceCode=birth-records");
  ASSERT_EQ(api.status, 200) << api.body;
  EXPECT_NE(api.body.find("Birth records"), std::string::npos);
  // A revoked grant stops the next call at once.
  auto g = srv->post("/api/v1/exchange/grants", {{"client", kClient}, {"service_id", service_id}, {"path_prefix", "/records/7"}}, admin);
  ASSERT_EQ(g.status, 201);
  ASSERT_EQ(srv->call("DELETE", "/api/v1/exchange/grants/" + std::to_string(grant_id), "", {{"Authorization", "Bearer " + admin}}).status, 200);
  EXPECT_EQ(call("GET", svc("/records/1")).status, 403);
  EXPECT_EQ(call("GET", svc("/records/7")).status, 200);  // the narrower grant still allows this path
  // Only exchange admins manage.
  EXPECT_EQ(srv->post("/api/v1/exchange/grants", {{"client", kClient}, {"service_id", service_id}}, srv->login("motcua")).status, 403);
}

// The message log's hash chain holds, and `lienthong exchange verify-log` finds a record changed
// behind the platform's back (and exits 1).
TEST_F(Exchange, TheMessageLogVerifiesAndAChangedRecordIsFound) {
  for (int i = 0; i < 5; ++i) call("GET", svc("/records/" + std::to_string(i)));  // answered or refused, each is logged
  auto db = db::Database::open(srv->db_url(), 1);
  auto count = [&] { return db->read([](db::Conn& c) { return c.q("SELECT COUNT(*) FROM exchange_messages"); }).one().i64(0); };
  for (int i = 0; i < 50 && count() < 5; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_GE(count(), 5);
  std::string out;
  ASSERT_EQ(srv->cli({"exchange", "verify-log"}, &out), 0) << out;
  EXPECT_NE(out.find("message log OK"), std::string::npos) << out;
  // Someone with database access rewrites what a call answered.
  int64_t id = db->read([](db::Conn& c) { return c.q("SELECT MIN(id) FROM exchange_messages"); }).one().i64(0);
  db->write([&](db::Conn& c) { c.q("UPDATE exchange_messages SET status = 299, response_bytes = response_bytes + 1 WHERE id = ?", id + 1); });
  ASSERT_EQ(srv->cli({"exchange", "verify-log"}, &out), 1) << out;
  EXPECT_NE(out.find("first bad record id " + std::to_string(id + 1)), std::string::npos) << out;
  // A removed record breaks the link of the one after it.
  db->write([&](db::Conn& c) { c.q("DELETE FROM exchange_messages WHERE id = ?", id + 1); });
  ASSERT_EQ(srv->cli({"exchange", "verify-log"}, &out), 1) << out;
  EXPECT_NE(out.find("does not link"), std::string::npos) << out;
}

namespace {
// A certificate as PEM (its DER is arbitrary bytes here: the gateway fingerprints, it does not parse)
// and as nginx passes it on ($ssl_client_escaped_cert: URL-escaped).
struct Cert {
  std::string der, pem, escaped, sha256;
};
Cert make_cert(const std::string& seed) {
  Cert c;
  c.der = "0\x82" + crypto::sha256_hex(seed) + seed;
  std::string b64 = crypto::base64url(c.der);  // then back to the standard alphabet, padded
  for (char& ch : b64) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  while (b64.size() % 4) b64 += '=';
  c.pem = "-----BEGIN CERTIFICATE-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) c.pem += b64.substr(i, 64) + "\n";
  c.pem += "-----END CERTIFICATE-----\n";
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char ch : c.pem) {
    if (std::isalnum(ch)) c.escaped += static_cast<char>(ch);
    else c.escaped += std::string("%") + hex[ch >> 4] + hex[ch & 15];
  }
  c.sha256 = crypto::sha256_hex(c.der);
  return c;
}
// The client and provider systems (both on the demo member account), a service "land" of the
// provider forwarding to `up`, and a grant to the client.
void land_service(test::Server& s, test::Receiver& up, const std::string& admin, int64_t& account) {
  auto me = s.call("GET", "/api/v1/me", "", {{"X-API-Key", kKey}});
  ASSERT_EQ(me.status, 200) << me.body;
  account = me.json().at("account").at("id").as_int64();
  for (const char* id : {kClient, kProvider})
    ASSERT_EQ(s.post("/api/v1/exchange/systems", {{"id", id}, {"name", id}, {"account_id", account}}, admin).status, 201);
  auto svc = s.post("/api/v1/exchange/services",
                    {{"provider", kProvider}, {"code", "land"}, {"upstream", "http://127.0.0.1:" + std::to_string(up.port()) + "/api"}}, admin);
  ASSERT_EQ(svc.status, 201) << svc.body;
  ASSERT_EQ(s.post("/api/v1/exchange/grants", {{"client", kClient}, {"service_id", svc.json().at("service").at("id").as_int64()}}, admin).status, 201);
}
}  // namespace

// Without trust_proxy, client-certificate headers are just headers: a certificate registered for the
// system proves nothing unless a trusted TLS proxy verified it.
TEST_F(Exchange, CertificateHeadersAreIgnoredWithoutATrustedProxy) {
  Cert c = make_cert("motcua");
  auto put = srv->call("PUT", "/api/v1/exchange/certificates", bj::serialize(bj::object{{"system", kClient}, {"certificate", c.pem}}),
                       {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(std::string(put.json().at("system").at("cert_sha256").as_string()), c.sha256);
  auto r = srv->call("GET", svc("/records/1"), "", {{"X-Road-Client", kClient}, {"X-Client-Verify", "SUCCESS"}, {"X-Client-Cert", c.escaped}});
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(r.header("x-road-error"), "Client.Authentication");
  auto off = srv->call("PUT", "/api/v1/exchange/certificates", bj::serialize(bj::object{{"system", kClient}, {"certificate", nullptr}}),
                       {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}});
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_TRUE(off.json().at("system").at("cert_sha256").is_null());
}

// Behind a trusted TLS-terminating proxy (trust_proxy), a member system proves itself by the client
// certificate registered for it, without an API key; a certificate the proxy did not verify, or
// another system's, is refused and nothing is forwarded.
TEST(ExchangeMutualTls, AVerifiedClientCertificateAuthenticatesTheSystem) {
  crypto::init();
  test::Receiver up;
  test::Server::Options o;
  o.env["LIENTHONG_TRUST_PROXY"] = "true";
  o.env["LIENTHONG_TRUST_CLIENT_CERT"] = "true";
  test::Server s(o);
  std::string admin = s.login("sysadmin");
  int64_t account = 0;
  ASSERT_NO_FATAL_FAILURE(land_service(s, up, admin, account));
  Cert mine = make_cert("motcua"), other = make_cert("someone else");
  auto put = [&](bj::object body) {
    if (!body.contains("system")) body["system"] = kClient;
    return s.call("PUT", "/api/v1/exchange/certificates", bj::serialize(body), {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}});
  };
  EXPECT_EQ(put({{"certificate", "not a certificate"}}).error_field(), "certificate");
  EXPECT_EQ(put({{"sha256", "abc"}}).error_field(), "sha256");
  EXPECT_EQ(put({}).status, 400);
  EXPECT_EQ(put({{"system", "VN/GOV/X/NOBODY"}, {"sha256", mine.sha256}}).error_field(), "system");
  EXPECT_EQ(s.call("PUT", "/api/v1/exchange/certificates", R"({"system":"x","certificate":null})", {{"Content-Type", "application/json"}}).status, 401);
  ASSERT_EQ(put({{"certificate", mine.pem}}).status, 200);
  std::string path = "/r1/" + std::string(kProvider) + "/land/parcels/7";
  auto with = [&](const Cert& c, const char* verify) {
    return s.call("GET", path, "", {{"X-Road-Client", kClient}, {"X-Client-Verify", verify}, {"X-Client-Cert", c.escaped}, {"X-Forwarded-For", "10.0.0.5"}});
  };
  size_t before = up.requests().size();
  auto ok = with(mine, "SUCCESS");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(up.requests().size(), before + 1);
  EXPECT_EQ(up.requests().back().header("x-road-client"), kClient);
  EXPECT_EQ(with(mine, "FAILED:certificate has expired").status, 401);
  EXPECT_EQ(with(other, "SUCCESS").status, 401);
  EXPECT_EQ(up.requests().size(), before + 1) << "a refused call reached the provider";
  // The fingerprint may also be registered as hex (as openssl prints it, colons allowed).
  std::string colons;
  for (size_t i = 0; i < other.sha256.size(); i += 2) colons += (i ? ":" : "") + other.sha256.substr(i, 2);
  ASSERT_EQ(put({{"sha256", colons}}).status, 200);
  EXPECT_EQ(with(other, "SUCCESS").status, 200);
  EXPECT_EQ(with(mine, "SUCCESS").status, 401) << "the replaced certificate still works";
  // A disabled member-system account is refused, whatever certificate its system presents.
  auto dis = s.call("PATCH", "/api/v1/accounts/" + std::to_string(account), R"({"status":"disabled"})",
                    {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}});
  ASSERT_EQ(dis.status, 200) << dis.body;
  EXPECT_EQ(with(other, "SUCCESS").status, 401) << "a disabled account's certificate still works";
  EXPECT_EQ(s.stop(), 0) << s.log();
}

// trust_proxy alone does not make the client-certificate headers believable (the proxy must be
// known to overwrite them: trust_client_cert).
TEST(ExchangeMutualTls, CertificateHeadersNeedTrustClientCert) {
  crypto::init();
  test::Receiver up;
  test::Server::Options o;
  o.env["LIENTHONG_TRUST_PROXY"] = "true";
  test::Server s(o);
  std::string admin = s.login("sysadmin");
  int64_t account = 0;
  ASSERT_NO_FATAL_FAILURE(land_service(s, up, admin, account));
  Cert c = make_cert("motcua");
  ASSERT_EQ(s.call("PUT", "/api/v1/exchange/certificates", bj::serialize(bj::object{{"system", kClient}, {"certificate", c.pem}}),
                   {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}})
                .status,
            200);
  auto r = s.call("GET", "/r1/" + std::string(kProvider) + "/land/parcels/7", "",
                  {{"X-Road-Client", kClient}, {"X-Client-Verify", "SUCCESS"}, {"X-Client-Cert", c.escaped}});
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_TRUE(up.requests().empty());
  EXPECT_EQ(s.stop(), 0) << s.log();
}
