// Data exchange: members, services, grants, the X-Road-compatible gateway and its message log
// (docs/EXCHANGE.md).
#include "modules/exchange/exchange.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "modules/audit/audit.hpp"
#include "platform/crypto/crypto.hpp"
#include "platform/crypto/keyring.hpp"
#include "platform/http/client.hpp"
#include "platform/outbox/outbox.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/text.hpp"
#include "platform/util/time.hpp"

namespace lt::exchange {

namespace bj = boost::json;

namespace {

bool id_part(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : std::string(1, sep)) + x;
  return out;
}

const std::vector<std::string> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
constexpr size_t kMaxAnswer = 10u << 20;  // a service's answer is buffered up to 10 MiB

// An X-Road-style fault: the type in the X-Road-Error header and in the JSON body.
http::Response fault(int status, const std::string& type, const std::string& message, const std::string& request_id) {
  auto r = http::Response::json({{"type", type}, {"message", message}, {"detail", request_id}}, status);
  r.set_header("X-Road-Error", type);
  return r;
}

}  // namespace

std::optional<SystemId> SystemId::parse(std::string_view s) {
  auto parts = split(s, '/');
  if (parts.size() != 4) return std::nullopt;
  for (const auto& p : parts)
    if (!id_part(p)) return std::nullopt;
  return SystemId{parts[0], parts[1], parts[2], parts[3]};
}

std::string signing_text(std::string_view method, std::string_view path, std::string_view time, std::string_view digest,
                         std::string_view client) {
  std::string t = "lienthong-gateway-v1\n";
  for (auto part : {method, path, time, digest, client}) {
    t.append(part);
    t += '\n';
  }
  return t;
}

// ---- implementation ----------------------------------------------------------------------------

struct Service::Impl {
  Impl(db::Database& d, audit::Log& a, crypto::KeyRing& k, Options o) : db(d), audit(a), keys(k), opts(std::move(o)) {}
  db::Database& db;
  audit::Log& audit;
  crypto::KeyRing& keys;
  Options opts;

  // Systems, services and grants: read on every message, changed rarely. A snapshot, replaced after
  // each change in this process and at least every second (another process's change).
  struct Snapshot {
    std::map<std::string, System> systems;                         // by id
    std::map<std::pair<std::string, std::string>, ServiceDef> services;  // (provider, code)
    std::multimap<std::pair<std::string, int64_t>, Grant> grants;  // (client, service id)
    std::chrono::steady_clock::time_point loaded;
  };
  mutable std::shared_mutex snap_mu;
  mutable std::shared_ptr<const Snapshot> snap;
  std::shared_ptr<const Snapshot> current() const;
  void reload() const;

  // Per-client rate limits (token buckets).
  std::mutex rate_mu;
  std::map<std::string, std::pair<double, std::chrono::steady_clock::time_point>> buckets;
  bool allow(const System& s);

  // Message log: written by one thread in group commits, hash-chained per writer process.
  struct Entry {
    std::string message_id, at, client, service, method, path, error, request_hash, response_hash, user_id, request_id;
    int status = 0;
    int64_t request_bytes = 0, response_bytes = 0, latency_us = 0;
  };
  std::mutex log_mu;
  std::condition_variable log_cv;
  std::deque<Entry> log_queue;
  bool log_stop = false;
  std::string chain, last_hash;
  int64_t logged = 0;
  // The hash of a record: over the previous record's hash, the chain and the fields.
  static std::string message_hash(const std::string& prev, const std::string& chain, const Entry& e);
  std::thread log_thread;
  void log(Entry e);
  void log_loop();

  http::Response gateway(http::Request& req);
  http::Response metaservice(http::Request& req, const std::vector<std::string>& parts, const std::optional<System>& caller);
  std::optional<System> authenticate(const http::Request& req, std::string& error_type, std::string& error_message);
};

std::shared_ptr<const Service::Impl::Snapshot> Service::Impl::current() const {
  {
    std::shared_lock g(snap_mu);
    if (snap && std::chrono::steady_clock::now() - snap->loaded < std::chrono::seconds(1)) return snap;
  }
  reload();
  std::shared_lock g(snap_mu);
  return snap;
}

void Service::Impl::reload() const {
  auto s = std::make_shared<Snapshot>();
  db.read([&](db::Conn& c) {
    for (const auto& r : c.q("SELECT id, name, status, account_id, rate_per_second, created_at, cert_sha256 FROM exchange_systems").rows) {
      System sys;
      sys.id = *SystemId::parse(r.str(0));
      sys.name = r.str(1);
      sys.status = r.str(2);
      sys.account_id = r.i64(3);
      sys.rate_per_second = static_cast<int>(r.i64(4));
      sys.created_at = r.str(5);
      sys.cert_sha256 = r.opt(6).value_or("");
      s->systems[r.str(0)] = sys;
    }
    for (const auto& r : c.q("SELECT id, provider, code, version, upstream, methods, paths, timeout_ms, max_body, description, openapi, status"
                             " FROM exchange_services")
                             .rows) {
      ServiceDef d;
      d.id = r.i64(0);
      d.provider = *SystemId::parse(r.str(1));
      d.code = r.str(2);
      d.version = r.str(3);
      d.upstream = r.str(4);
      d.methods = split(r.str(5), ',');
      d.paths = split(r.str(6), ',');
      d.timeout_ms = static_cast<int>(r.i64(7));
      d.max_body = r.i64(8);
      d.description = r.str(9);
      d.openapi = r.opt(10).value_or("");
      d.status = r.str(11);
      s->services[{r.str(1), d.code}] = d;
    }
    for (const auto& r : c.q("SELECT id, client, service_id, methods, path_prefix, valid_from, valid_to, revoked_at, created_at FROM exchange_grants"
                             " WHERE revoked_at IS NULL")
                             .rows) {
      Grant g;
      g.id = r.i64(0);
      g.client = r.str(1);
      g.service_id = r.i64(2);
      if (!r.str(3).empty()) g.methods = split(r.str(3), ',');
      g.path_prefix = r.str(4);
      g.valid_from = r.opt(5).value_or("");
      g.valid_to = r.opt(6).value_or("");
      g.created_at = r.str(8);
      s->grants.emplace(std::pair{g.client, g.service_id}, g);
    }
  });
  s->loaded = std::chrono::steady_clock::now();
  std::unique_lock g(snap_mu);
  snap = std::move(s);
}

bool Service::Impl::allow(const System& s) {
  double rate = s.rate_per_second > 0 ? s.rate_per_second : opts.default_rate_per_second;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard g(rate_mu);
  auto [it, fresh] = buckets.try_emplace(s.id.str(), rate, now);
  auto& [tokens, at] = it->second;
  if (!fresh) {
    tokens = std::min(rate, tokens + rate * std::chrono::duration<double>(now - at).count());
    at = now;
  }
  if (tokens < 1) return false;
  tokens -= 1;
  return true;
}

void Service::Impl::log(Entry e) {
  {
    std::lock_guard g(log_mu);
    log_queue.push_back(std::move(e));
  }
  log_cv.notify_one();
}

void Service::Impl::log_loop() {
  for (;;) {
    std::vector<Entry> batch;
    {
      std::unique_lock lk(log_mu);
      log_cv.wait(lk, [&] { return log_stop || !log_queue.empty(); });
      if (log_queue.empty()) return;
      while (!log_queue.empty() && batch.size() < 1000) {
        batch.push_back(std::move(log_queue.front()));
        log_queue.pop_front();
      }
    }
    try {
      std::string prev = last_hash;
      db.write([&](db::Conn& c) {
        std::vector<std::vector<db::Param>> rows;
        for (const auto& e : batch) {
          std::string hash = message_hash(prev, chain, e);
          rows.push_back({chain, e.message_id, e.request_id, e.at, e.client, e.service, e.method, e.path, int64_t{e.status}, e.error,
                          e.request_bytes, e.response_bytes, e.latency_us, e.request_hash, e.response_hash, e.user_id, prev, hash});
          prev = hash;
        }
        db::insert_rows(c, "exchange_messages",
                        {"chain", "message_id", "request_id", "at", "client", "service", "method", "path", "status", "error", "request_bytes",
                         "response_bytes", "latency_us", "request_hash", "response_hash", "user_id", "prev_hash", "hash"},
                        rows);
      });
      last_hash = prev;
      std::lock_guard g(log_mu);
      logged += static_cast<int64_t>(batch.size());
    } catch (const std::exception&) {
      // Put them back and retry shortly (the database may be briefly unavailable).
      bool stopping;
      {
        std::lock_guard g(log_mu);
        for (auto it = batch.rbegin(); it != batch.rend(); ++it) log_queue.push_front(std::move(*it));
        stopping = log_stop;
      }
      if (stopping) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

std::string Service::Impl::message_hash(const std::string& prev, const std::string& chain, const Entry& e) {
  std::string text = prev + "\x1f" + chain + "\x1f" + e.message_id + "\x1f" + e.at + "\x1f" + e.client + "\x1f" + e.service + "\x1f" + e.method +
                     "\x1f" + e.path + "\x1f" + std::to_string(e.status) + "\x1f" + e.error + "\x1f" + std::to_string(e.request_bytes) + "\x1f" +
                     std::to_string(e.response_bytes) + "\x1f" + std::to_string(e.latency_us) + "\x1f" + e.request_hash + "\x1f" +
                     e.response_hash + "\x1f" + e.user_id;
  return crypto::sha256_hex(text);
}

Service::LogCheck Service::verify_log(db::Database& db) {
  LogCheck out;
  // Chain by chain: a chain is written by one thread in order, so its ids are committed in order
  // (across chains they are not, on PostgreSQL: one global page order could skip a late commit).
  std::vector<std::string> chains;
  for (const auto& r : db.read([](db::Conn& c) { return c.q("SELECT DISTINCT chain FROM exchange_messages ORDER BY chain"); }).rows)
    chains.push_back(r.str(0));
  out.chains = static_cast<int64_t>(chains.size());
  for (const auto& chain : chains) {
    std::string last(64, '0');
    int64_t after = 0;
    for (;;) {  // in pages, so that memory stays small on any log
      auto rows = db.read([&](db::Conn& c) {
        return c.q("SELECT id, message_id, at, client, service, method, path, status, error, request_bytes, response_bytes, latency_us,"
                   " request_hash, response_hash, user_id, prev_hash, hash FROM exchange_messages WHERE chain = ? AND id > ? ORDER BY id LIMIT 10000",
                   chain, after);
      });
      if (rows.empty()) break;
      for (auto& r : rows.rows) {
        after = r.i64(0);
        ++out.records;
        Impl::Entry e;
        e.message_id = r.str(1), e.at = r.str(2), e.client = r.str(3), e.service = r.str(4), e.method = r.str(5), e.path = r.str(6);
        e.status = static_cast<int>(r.i64(7));
        e.error = r.str(8);
        e.request_bytes = r.i64(9), e.response_bytes = r.i64(10), e.latency_us = r.i64(11);
        e.request_hash = r.str(12), e.response_hash = r.str(13), e.user_id = r.str(14);
        const std::string &prev = r.str(15), &hash = r.str(16);
        std::string problem;
        if (prev != last) problem = "a record before it was changed, removed or inserted (prev_hash does not link)";
        else if (Impl::message_hash(prev, chain, e) != hash) problem = "the record was changed (its hash does not match its fields)";
        if (!problem.empty() && out.ok) {
          out.ok = false;
          out.chain = chain;
          out.problem = problem;
          out.bad_id = after;
        }
        last = hash;
      }
    }
  }
  return out;
}

// ---- service -----------------------------------------------------------------------------------

Service::Service(db::Database& db, audit::Log& audit, crypto::KeyRing& keys, Options opts)
    : impl_(std::make_unique<Impl>(db, audit, keys, std::move(opts))) {
  impl_->chain = "gw-" + crypto::hex(crypto::random_bytes(6));
  impl_->last_hash = std::string(64, '0');
  impl_->log_thread = std::thread([i = impl_.get()] { i->log_loop(); });
}

Service::~Service() {
  {
    std::lock_guard g(impl_->log_mu);
    impl_->log_stop = true;
  }
  impl_->log_cv.notify_all();
  impl_->log_thread.join();
}

std::optional<std::string> Service::member_of(const http::Request& req) const {
  std::string type, message;
  auto s = impl_->authenticate(req, type, message);
  if (!s) return std::nullopt;
  return s->id.str();
}

Service::Stats Service::stats() const {
  std::lock_guard g(impl_->log_mu);
  return {impl_->logged, static_cast<int64_t>(impl_->log_queue.size())};
}

void Service::add_migrations(db::Migrator& m) {
  m.add({"exchange", 1, "member systems, services, grants, message log",
         "CREATE TABLE exchange_systems (id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, account_id BIGINT NOT NULL,"
         " rate_per_second INTEGER NOT NULL, created_at TEXT NOT NULL);"
         "CREATE TABLE exchange_services (id {{id}}, provider TEXT NOT NULL, code TEXT NOT NULL, version TEXT NOT NULL, upstream TEXT NOT NULL,"
         " methods TEXT NOT NULL, paths TEXT NOT NULL, timeout_ms INTEGER NOT NULL, max_body BIGINT NOT NULL, description TEXT NOT NULL,"
         " openapi TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (provider, code));"
         "CREATE TABLE exchange_grants (id {{id}}, client TEXT NOT NULL, service_id BIGINT NOT NULL, methods TEXT NOT NULL,"
         " path_prefix TEXT NOT NULL, valid_from TEXT, valid_to TEXT, revoked_at TEXT, created_by TEXT NOT NULL, created_at TEXT NOT NULL);"
         "CREATE TABLE exchange_messages (id {{id}}, chain TEXT NOT NULL, message_id TEXT NOT NULL, request_id TEXT NOT NULL, at TEXT NOT NULL,"
         " client TEXT NOT NULL, service TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, status INTEGER NOT NULL, error TEXT NOT NULL,"
         " request_bytes BIGINT NOT NULL, response_bytes BIGINT NOT NULL, latency_us BIGINT NOT NULL, request_hash TEXT NOT NULL,"
         " response_hash TEXT NOT NULL, user_id TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
         "CREATE INDEX exchange_messages_client ON exchange_messages (client, id);"
         "CREATE INDEX exchange_messages_service ON exchange_messages (service, id)",
         {}});
  m.add({"exchange", 4, "client certificates of member systems (mutual TLS)", "ALTER TABLE exchange_systems ADD COLUMN cert_sha256 TEXT", {}});
}

// ---- gateway -----------------------------------------------------------------------------------

std::optional<System> Service::Impl::authenticate(const http::Request& req, std::string& type, std::string& message) {
  std::string header(req.header("x-road-client"));
  auto id = SystemId::parse(header);
  if (!id) {
    type = "Client.BadRequest.InvalidClient";
    message = "X-Road-Client: INSTANCE/CLASS/MEMBER/SUBSYSTEM required";
    return std::nullopt;
  }
  auto s = current();
  auto it = s->systems.find(id->str());
  // Proven by a client certificate the trusted TLS proxy verified (mutual TLS), or by an API key.
  bool by_cert = false;
  if (it != s->systems.end() && !req.client_cert.empty() && !it->second.cert_sha256.empty()) {
    auto fp = crypto::pem_sha256(req.client_cert);
    by_cert = fp && *fp == it->second.cert_sha256 && (!opts.account_active || opts.account_active(it->second.account_id));
  }
  std::optional<http::Principal> p = by_cert || !opts.authenticate ? std::nullopt : opts.authenticate(req);
  if (it == s->systems.end() || it->second.status != "active" || (!by_cert && (!p || p->account_id != it->second.account_id))) {
    type = "Client.Authentication";
    message = "The client is unknown or its credential does not match X-Road-Client";
    return std::nullopt;
  }
  return it->second;
}

http::Response Service::Impl::gateway(http::Request& req) {
  auto t0 = std::chrono::steady_clock::now();
  std::string rest = req.param("rest");
  auto parts = split(rest, '/');
  Entry e;
  e.message_id = std::string(req.header("x-road-id"));
  if (e.message_id.empty() || e.message_id.size() > 100 || !id_part(e.message_id)) e.message_id = crypto::hex(crypto::random_bytes(12));
  e.request_id = req.request_id;
  e.at = timeutil::now_iso();
  e.client = std::string(req.header("x-road-client")).substr(0, 300);
  e.method = req.method;
  e.user_id = std::string(req.header("x-road-userid")).substr(0, 200);
  e.request_bytes = static_cast<int64_t>(req.body.size());
  e.request_hash = crypto::base64url(crypto::sha256_raw(req.body));
  auto finish = [&](http::Response r) {
    e.status = r.status;
    e.response_bytes = static_cast<int64_t>(r.body.size());
    e.response_hash = crypto::base64url(crypto::sha256_raw(r.body));
    for (const auto& [k, v] : r.headers)
      if (k == "X-Road-Error") e.error = v;
    e.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    r.set_header("X-Road-Id", e.message_id);
    r.set_header("X-Road-Request-Id", req.request_id);
    r.set_header("X-Road-Request-Hash", e.request_hash);
    log(std::move(e));
    return r;
  };
  std::string type, message;
  // Metaservices: listClients (open), listMethods, allowedMethods, getOpenAPI.
  if (parts.size() == 2 && parts[1] == "listClients") {
    e.service = parts[0] + "/listClients";
    bj::array a;
    for (const auto& [id, s] : current()->systems)
      if (s.status == "active")
        a.push_back({{"id", {{"xRoadInstance", s.id.instance}, {"memberClass", s.id.member_class}, {"memberCode", s.id.member_code},
                             {"subsystemCode", s.id.subsystem}, {"objectType", "SUBSYSTEM"}}},
                     {"name", s.name}});
    return finish(http::Response::json({{"member", std::move(a)}}));
  }
  if (parts.size() < 5) return finish(fault(400, "Client.BadRequest.InvalidService", "Expected /r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE/…", req.request_id));
  SystemId provider{parts[0], parts[1], parts[2], parts[3]};
  std::string code = parts[4];
  e.service = provider.str() + "/" + code;
  auto caller = authenticate(req, type, message);
  if (!caller) return finish(fault(401, type, message, req.request_id));
  if (!allow(*caller)) return finish(fault(429, "Client.RateLimited", "Too many requests for this client", req.request_id));
  auto snap = current();
  if (parts.size() == 5 && (code == "listMethods" || code == "allowedMethods" || code == "getOpenAPI")) {
    bj::array services;
    std::string want = req.query_param("serviceCode").value_or("");
    for (const auto& [key, d] : snap->services) {
      if (key.first != provider.str() || d.status != "active") continue;
      bool granted = false;
      auto [lo, hi] = snap->grants.equal_range({caller->id.str(), d.id});
      std::string today = e.at;
      for (auto it = lo; it != hi; ++it)
        granted |= (it->second.valid_from.empty() || it->second.valid_from <= today) && (it->second.valid_to.empty() || today < it->second.valid_to);
      if (code == "allowedMethods" && !granted) continue;
      if (code == "getOpenAPI") {
        if (d.code != want) continue;
        if (!granted) return finish(fault(403, "Client.AccessDenied", "No grant for this service", req.request_id));
        if (d.openapi.empty()) return finish(fault(404, "Client.UnknownService", "No OpenAPI description for this service", req.request_id));
        return finish(http::Response::text(d.openapi, "application/json"));
      }
      services.push_back({{"serviceCode", d.code}, {"serviceVersion", d.version}, {"serviceType", "REST"}, {"description", d.description},
                          {"methods", bj::value_from(d.methods)}, {"paths", bj::value_from(d.paths)}});
    }
    if (code == "getOpenAPI") return finish(fault(404, "Client.UnknownService", "No such service", req.request_id));
    return finish(http::Response::json({{"service", std::move(services)}}));
  }
  auto sit = snap->services.find({provider.str(), code});
  if (sit == snap->services.end() || sit->second.status != "active")
    return finish(fault(404, "Client.UnknownService", "No such service: " + e.service, req.request_id));
  const ServiceDef& svc = sit->second;
  std::string path = "/" + join(std::vector<std::string>(parts.begin() + 5, parts.end()), '/');
  e.path = path.substr(0, 500);
  if (std::find(svc.methods.begin(), svc.methods.end(), req.method) == svc.methods.end())
    return finish(fault(405, "Client.MethodNotAllowed", req.method + " is not allowed on this service", req.request_id));
  auto prefix_ok = [&](const std::vector<std::string>& prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return p == "/" || path.rfind(p, 0) == 0; });
  };
  if (!prefix_ok(svc.paths)) return finish(fault(403, "Client.AccessDenied", "The path is not published by this service", req.request_id));
  // The grant: current, for this method and path.
  bool granted = false;
  auto [lo, hi] = snap->grants.equal_range({caller->id.str(), svc.id});
  for (auto it = lo; it != hi && !granted; ++it) {
    const Grant& g = it->second;
    if (!g.valid_from.empty() && e.at < g.valid_from) continue;
    if (!g.valid_to.empty() && e.at >= g.valid_to) continue;
    if (!g.methods.empty() && std::find(g.methods.begin(), g.methods.end(), req.method) == g.methods.end()) continue;
    if (!g.path_prefix.empty() && path.rfind(g.path_prefix, 0) != 0) continue;
    granted = true;
  }
  if (!granted) return finish(fault(403, "Client.AccessDenied", "The client has no current grant for this service, method and path", req.request_id));
  if (static_cast<int64_t>(req.body.size()) > svc.max_body)
    return finish(fault(413, "Client.BodyTooLarge", "The request body exceeds the service's limit", req.request_id));

  // Forward over a kept-alive connection of this worker thread.
  auto u = boost::urls::parse_uri(svc.upstream);
  if (!u) return finish(fault(502, "Server.Configuration", "The service's upstream URL is invalid", req.request_id));
  std::string host(u->host());
  uint16_t port = u->has_port() ? static_cast<uint16_t>(std::stoi(std::string(u->port()))) : 80;
  std::string base(u->encoded_path());
  if (base.ends_with("/")) base.pop_back();
  std::string target = base + path;
  std::string query;
  for (const auto& [k, v] : req.query) query += (query.empty() ? "?" : "&") + k + "=" + v;
  target += query;
  thread_local std::map<std::string, std::unique_ptr<http::Client>> pool;
  std::string pool_key = host + ":" + std::to_string(port) + ":" + std::to_string(svc.timeout_ms);
  auto& client = pool[pool_key];
  if (!client) client = std::make_unique<http::Client>(host, port, std::chrono::milliseconds(svc.timeout_ms), kMaxAnswer);
  std::string time = e.at;
  std::string digest = crypto::sha256_hex(req.body);
  auto sig = keys.sign(signing_text(req.method, path + query, time, digest, caller->id.str()));
  std::vector<std::pair<std::string, std::string>> headers = {
      {"X-Road-Client", caller->id.str()},
      {"X-Road-Id", e.message_id},
      {"X-Road-Request-Id", req.request_id},
      {"X-Lienthong-Signature", "keyId=\"" + sig.kid + "\", time=\"" + time + "\", digest=\"" + digest + "\", signature=\"" +
                                    crypto::base64url(sig.sig) + "\""}};
  if (!e.user_id.empty()) headers.emplace_back("X-Road-UserId", e.user_id);
  for (const char* h : {"content-type", "accept"})
    if (auto v = req.header(h); !v.empty()) headers.emplace_back(h, std::string(v));
  http::ClientResponse up;
  try {
    up = client->request(req.method, target, req.body, headers);
  } catch (const http::ClientError& err) {
    client.reset();
    std::string why = std::string(" (") + err.what() + ")";
    if (err.kind() == http::ClientError::Kind::timeout)
      return finish(fault(504, "Server.ServiceTimeout", "The service did not answer in time" + why, req.request_id));
    if (err.kind() == http::ClientError::Kind::too_large)
      return finish(fault(502, "Server.ServiceFailed.TooLarge", "The service's answer exceeds the size limit" + why, req.request_id));
    if (err.kind() == http::ClientError::Kind::connect)
      return finish(fault(502, "Server.ServiceFailed.Unreachable", "The service cannot be reached" + why, req.request_id));
    return finish(fault(502, "Server.ServiceFailed.InvalidResponse", "The service's answer is not valid HTTP" + why, req.request_id));
  }
  http::Response r;
  r.status = up.status;
  r.content_type = up.header("content-type").empty() ? "application/octet-stream" : up.header("content-type");
  r.body = std::move(up.body);
  return finish(std::move(r));
}

// ---- administration ----------------------------------------------------------------------------

namespace {

bj::object system_json(const System& s) {
  return {{"id", s.id.str()},
          {"name", s.name},
          {"status", s.status},
          {"account_id", s.account_id},
          {"rate_per_second", s.rate_per_second},
          {"created_at", s.created_at},
          {"cert_sha256", s.cert_sha256.empty() ? bj::value(nullptr) : bj::value(bj::string(s.cert_sha256))}};
}

bj::object service_json(const ServiceDef& d) {
  return {{"id", d.id},
          {"provider", d.provider.str()},
          {"code", d.code},
          {"version", d.version},
          {"upstream", d.upstream},
          {"methods", bj::value_from(d.methods)},
          {"paths", bj::value_from(d.paths)},
          {"timeout_ms", d.timeout_ms},
          {"max_body", d.max_body},
          {"description", d.description},
          {"has_openapi", !d.openapi.empty()},
          {"status", d.status}};
}

std::vector<std::string> string_list(json::Reader& rd, std::string_view key, const std::vector<std::string>& def) {
  const bj::value* v = rd.value(key);
  if (!v) return def;
  if (!v->is_array()) throw ApiError::bad_request("invalid_type", std::string(key) + ": phải là mảng chuỗi / must be an array of strings", std::string(key));
  std::vector<std::string> out;
  for (const auto& x : v->as_array()) {
    if (!x.is_string() || x.as_string().empty() || x.as_string().size() > 200)
      throw ApiError::bad_request("invalid_value", std::string(key) + ": phải là mảng chuỗi / must be an array of strings", std::string(key));
    out.emplace_back(x.as_string());
  }
  return out;
}

}  // namespace

void Service::add_routes(http::Router& r) {
  Impl* im = impl_.get();
  // The gateway, for every method a service may allow.
  for (const auto& m : kMethods) {
    http::Route g{m, "/r1/{rest...}", std::string(http::kPublic),
                  "X-Road REST gateway: /r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE/path (X-Road-Client + API key); metaservices "
                  "listClients, listMethods, allowedMethods, getOpenAPI",
                  [im](http::Request& req) { return im->gateway(req); }, 16u << 20};
    r.add(std::move(g));
  }
  const std::string perm = "exchange.manage";
  r.add({"GET", "/api/v1/exchange/systems", perm, "Member systems (X-Road subsystems) and their accounts", [im](http::Request&) {
           bj::array a;
           for (const auto& [id, s] : im->current()->systems) a.push_back(system_json(s));
           return http::Response::json({{"items", std::move(a)}});
         }});
  r.add({"POST", "/api/v1/exchange/systems", perm,
         "Register a member system {id: INSTANCE/CLASS/MEMBER/SUBSYSTEM, name, account_id (a member-system account), rate_per_second?}",
         [im](http::Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           std::string id_text = rd.str("id", 300);
           std::string name = rd.str("name", 300);
           int64_t account = rd.i64("account_id");
           int64_t rate = rd.opt_i64("rate_per_second").value_or(0);
           rd.done();
           auto id = SystemId::parse(id_text);
           if (!id) throw ApiError::bad_request("invalid_value", "id: INSTANCE/CLASS/MEMBER/SUBSYSTEM", "id");
           if (rate < 0 || rate > 1000000) throw ApiError::bad_request("invalid_value", "rate_per_second: 0–1000000", "rate_per_second");
           im->db.write([&](db::Conn& c) {
             auto ins = c.q("INSERT INTO exchange_systems (id, name, status, account_id, rate_per_second, created_at) VALUES (?, ?, 'active', ?, ?, ?)"
                            " ON CONFLICT (id) DO NOTHING",
                            id->str(), name, account, rate, timeutil::now_iso());
             if (ins.affected == 0) throw ApiError::conflict("system_exists", "Hệ thống đã đăng ký / Already registered", "id");
             std::string detail = bj::serialize(bj::object{{"id", id->str()}, {"name", name}, {"account_id", account}});
             im->audit.append(c, {req.who().actor(), "exchange.system.create", "exchange_system", id->str(), "", req.request_id, detail});
             outbox::Outbox::publish(c, "exchange.changed", id->str(), detail);
           });
           im->reload();
           return http::Response::json({{"system", system_json(im->current()->systems.at(id->str()))}}, 201);
         }});
  r.add({"PUT", "/api/v1/exchange/certificates", perm,
         "Set a member system's client certificate for mutual TLS {system, certificate: PEM} (or {system, sha256: hex}); certificate null removes it",
         [im](http::Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           auto id = SystemId::parse(rd.str("system", 300));
           if (!id || !im->current()->systems.contains(id->str()))
             throw ApiError::bad_request("unknown_system", "Hệ thống chưa đăng ký / Unknown system", "system");
           const bj::value* pem = rd.value("certificate");
           std::optional<std::string> hex = rd.opt_str("sha256", 100);  // openssl prints 95 characters with colons
           rd.done();
           std::optional<std::string> fp;
           if (pem && !pem->is_string()) throw ApiError::bad_request("invalid_type", "certificate: PEM text or null", "certificate");
           if (pem) {
             fp = crypto::pem_sha256(std::string(pem->as_string()));
             if (!fp) throw ApiError::bad_request("invalid_value", "Không phải chứng thư PEM / Not a PEM certificate", "certificate");
           } else if (hex) {
             std::string h;
             for (char ch : *hex)
               if (ch != ':') h += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
             if (h.size() != 64 || h.find_first_not_of("0123456789abcdef") != std::string::npos)
               throw ApiError::bad_request("invalid_value", "sha256: 64 hex digits", "sha256");
             fp = h;
           } else if (!body.contains("certificate")) {
             throw ApiError::bad_request("missing_field", "Cần certificate hoặc sha256 / certificate or sha256 is required", "certificate");
           }
           im->db.write([&](db::Conn& c) {
             c.q("UPDATE exchange_systems SET cert_sha256 = ? WHERE id = ?", fp ? db::Param(*fp) : db::Param(db::Null{}), id->str());
             std::string detail = bj::serialize(bj::object{{"id", id->str()}, {"cert_sha256", fp ? bj::value(bj::string(*fp)) : bj::value(nullptr)}});
             im->audit.append(c, {req.who().actor(), "exchange.system.certificate", "exchange_system", id->str(), "", req.request_id, detail});
             outbox::Outbox::publish(c, "exchange.changed", id->str(), detail);
           });
           im->reload();
           return http::Response::json({{"system", system_json(im->current()->systems.at(id->str()))}});
         }});
  r.add({"GET", "/api/v1/exchange/services", perm, "Published services", [im](http::Request&) {
           bj::array a;
           for (const auto& [k, d] : im->current()->services) a.push_back(service_json(d));
           return http::Response::json({{"items", std::move(a)}});
         }});
  http::Route svc{"POST", "/api/v1/exchange/services", perm,
                  "Publish a service {provider, code, version, upstream (http://…), methods[], paths[], timeout_ms, max_body, description, openapi}",
                  [im](http::Request& req) {
                    auto body = json::parse_object(req.body);
                    json::Reader rd(body);
                    ServiceDef d;
                    std::string provider = rd.str("provider", 300);
                    d.code = rd.str("code", 64);
                    d.version = rd.opt_str("version", 40).value_or("v1");
                    d.upstream = rd.str("upstream", 500);
                    d.timeout_ms = static_cast<int>(rd.opt_i64("timeout_ms").value_or(10000));
                    d.max_body = rd.opt_i64("max_body").value_or(1 << 20);
                    d.description = rd.opt_str("description", 2000).value_or("");
                    d.openapi = rd.opt_str("openapi", 1 << 20).value_or("");
                    d.methods = string_list(rd, "methods", {"GET"});
                    d.paths = string_list(rd, "paths", {"/"});
                    rd.done();
                    auto pid = SystemId::parse(provider);
                    if (!pid || !im->current()->systems.contains(pid->str()))
                      throw ApiError::bad_request("unknown_system", "Nhà cung cấp chưa đăng ký / Unknown provider system", "provider");
                    d.provider = *pid;
                    if (!id_part(d.code)) throw ApiError::bad_request("invalid_value", "code: a-z, 0-9, -, _, .", "code");
                    auto u = boost::urls::parse_uri(d.upstream);
                    if (!u || u->scheme() != "http" || u->host().empty())
                      throw ApiError::bad_request("invalid_value", "upstream: http://host[:port]/path", "upstream");
                    for (const auto& m : d.methods)
                      if (std::find(kMethods.begin(), kMethods.end(), m) == kMethods.end())
                        throw ApiError::bad_request("invalid_value", "methods: GET, POST, PUT, PATCH, DELETE", "methods");
                    for (const auto& p : d.paths)
                      if (p.empty() || p[0] != '/') throw ApiError::bad_request("invalid_value", "paths: each starts with /", "paths");
                    if (d.timeout_ms < 100 || d.timeout_ms > 120000) throw ApiError::bad_request("invalid_value", "timeout_ms: 100–120000", "timeout_ms");
                    if (d.max_body < 1 || d.max_body > (16 << 20)) throw ApiError::bad_request("invalid_value", "max_body: 1–16777216", "max_body");
                    if (!d.openapi.empty()) {
                      boost::system::error_code ec;
                      bj::parse(d.openapi, ec);
                      if (ec) throw ApiError::bad_request("invalid_json", "openapi: JSON", "openapi");
                    }
                    im->db.write([&](db::Conn& c) {
                      auto ins = c.q("INSERT INTO exchange_services (provider, code, version, upstream, methods, paths, timeout_ms, max_body, description,"
                                     " openapi, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?) ON CONFLICT (provider, code) DO NOTHING",
                                     d.provider.str(), d.code, d.version, d.upstream, join(d.methods, ','), join(d.paths, ','), d.timeout_ms,
                                     d.max_body, d.description, d.openapi.empty() ? db::Param(db::Null{}) : db::Param(d.openapi),
                                     timeutil::now_iso());
                      if (ins.affected == 0) throw ApiError::conflict("service_exists", "Dịch vụ đã công bố / Already published", "code");
                      std::string detail = bj::serialize(bj::object{{"provider", d.provider.str()}, {"code", d.code}, {"upstream", d.upstream}});
                      im->audit.append(c, {req.who().actor(), "exchange.service.create", "exchange_service", d.provider.str() + "/" + d.code, "",
                                           req.request_id, detail});
                      outbox::Outbox::publish(c, "exchange.changed", d.provider.str(), detail);
                    });
                    im->reload();
                    return http::Response::json({{"service", service_json(im->current()->services.at({d.provider.str(), d.code}))}}, 201);
                  },
                  (1u << 20) + 65536};
  r.add(std::move(svc));
  r.add({"GET", "/api/v1/exchange/grants", perm, "Access grants (client system → service)", [im](http::Request&) {
           bj::array a;
           auto rows = im->db.read([](db::Conn& c) {
             return c.q("SELECT id, client, service_id, methods, path_prefix, valid_from, valid_to, revoked_at, created_by, created_at FROM exchange_grants"
                        " ORDER BY id DESC LIMIT 1000");
           });
           for (const auto& row : rows.rows)
             a.push_back({{"id", row.i64(0)}, {"client", row.str(1)}, {"service_id", row.i64(2)}, {"methods", row.str(3)}, {"path_prefix", row.str(4)},
                          {"valid_from", json::nullable(row.opt(5))}, {"valid_to", json::nullable(row.opt(6))},
                          {"revoked_at", json::nullable(row.opt(7))}, {"created_by", row.str(8)}, {"created_at", row.str(9)}});
           return http::Response::json({{"items", std::move(a)}});
         }});
  r.add({"POST", "/api/v1/exchange/grants", perm,
         "Grant a client system a service {client, service_id, methods[]?, path_prefix?, valid_from?, valid_to? (ISO times)}",
         [im](http::Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           std::string client = rd.str("client", 300);
           int64_t service_id = rd.i64("service_id");
           std::string prefix = rd.opt_str("path_prefix", 500).value_or("");
           auto from = rd.opt_str("valid_from", 40), to = rd.opt_str("valid_to", 40);
           auto methods = string_list(rd, "methods", {});
           rd.done();
           auto snap = im->current();
           auto cid = SystemId::parse(client);
           if (!cid || !snap->systems.contains(cid->str())) throw ApiError::bad_request("unknown_system", "Hệ thống chưa đăng ký / Unknown client system", "client");
           bool known = std::any_of(snap->services.begin(), snap->services.end(), [&](const auto& kv) { return kv.second.id == service_id; });
           if (!known) throw ApiError::bad_request("unknown_service", "Không có dịch vụ này / No such service", "service_id");
           for (const auto* t : {&from, &to})
             if (*t && !timeutil::parse_iso(**t)) throw ApiError::bad_request("invalid_date", "ISO 8601 time", t == &from ? "valid_from" : "valid_to");
           if (!prefix.empty() && prefix[0] != '/') throw ApiError::bad_request("invalid_value", "path_prefix: starts with /", "path_prefix");
           auto iso = [](const std::optional<std::string>& t) { return t ? db::Param(timeutil::iso_utc(*timeutil::parse_iso(*t))) : db::Param(db::Null{}); };
           int64_t id = im->db.write([&](db::Conn& c) {
             int64_t gid = c.q("INSERT INTO exchange_grants (client, service_id, methods, path_prefix, valid_from, valid_to, created_by, created_at)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                               cid->str(), service_id, join(methods, ','), prefix, iso(from), iso(to), req.who().actor(), timeutil::now_iso())
                               .one()
                               .i64(0);
             std::string detail = bj::serialize(bj::object{{"id", gid}, {"client", cid->str()}, {"service_id", service_id}});
             im->audit.append(c, {req.who().actor(), "exchange.grant.create", "exchange_grant", std::to_string(gid), "", req.request_id, detail});
             outbox::Outbox::publish(c, "exchange.changed", cid->str(), detail);
             return gid;
           });
           im->reload();
           return http::Response::json({{"id", id}}, 201);
         }});
  r.add({"DELETE", "/api/v1/exchange/grants/{id}", perm, "Revoke a grant (effective at once on this node, within a second on others)",
         [im](http::Request& req) {
           int64_t id = 0;
           try {
             id = std::stoll(req.param("id"));
           } catch (const std::exception&) {
             throw ApiError::not_found("Không có quyền truy cập này / No such grant");
           }
           im->db.write([&](db::Conn& c) {
             auto u = c.q("UPDATE exchange_grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", timeutil::now_iso(), id);
             if (u.affected != 1) throw ApiError::not_found("Không có quyền truy cập này / No such grant");
             std::string detail = bj::serialize(bj::object{{"id", id}});
             im->audit.append(c, {req.who().actor(), "exchange.grant.revoke", "exchange_grant", std::to_string(id), "", req.request_id, detail});
             outbox::Outbox::publish(c, "exchange.changed", std::to_string(id), detail);
           });
           im->reload();
           return http::Response::json({{"ok", true}});
         }});
  r.add({"GET", "/api/v1/exchange/messages", perm, "The message log, newest first (client=, service=, status=, limit ≤ 500)",
         [im](http::Request& req) {
           std::string sql = "SELECT id, message_id, request_id, at, client, service, method, path, status, error, request_bytes, response_bytes,"
                             " latency_us, user_id, hash FROM exchange_messages WHERE 1 = 1";
           std::vector<db::Param> p;
           for (const char* f : {"client", "service"})
             if (auto v = req.query_param(f)) {
               sql += std::string(" AND ") + f + " = ?";
               p.emplace_back(*v);
             }
           if (auto v = req.query_param("status")) {
             sql += " AND status = ?";
             try {
               p.emplace_back(int64_t{std::stoi(*v)});
             } catch (const std::exception&) {
               throw ApiError::bad_request("invalid_value", "status: a number", "status");
             }
           }
           int64_t limit = 100;
           if (auto v = req.query_param("limit")) {
             try {
               limit = std::clamp<int64_t>(std::stoll(*v), 1, 500);
             } catch (const std::exception&) {
               throw ApiError::bad_request("invalid_value", "limit: 1–500", "limit");
             }
           }
           sql += " ORDER BY id DESC LIMIT ?";
           p.emplace_back(limit);
           auto rows = im->db.read([&](db::Conn& c) { return c.run(sql, p); });
           bj::array a;
           for (const auto& row : rows.rows)
             a.push_back({{"id", row.i64(0)},      {"message_id", row.str(1)}, {"request_id", row.str(2)}, {"at", row.str(3)},
                          {"client", row.str(4)},  {"service", row.str(5)},    {"method", row.str(6)},     {"path", row.str(7)},
                          {"status", row.i64(8)},  {"error", row.str(9)},      {"request_bytes", row.i64(10)},
                          {"response_bytes", row.i64(11)}, {"latency_us", row.i64(12)}, {"user_id", row.str(13)}, {"hash", row.str(14)}});
           return http::Response::json({{"items", std::move(a)}});
         }});
}

}  // namespace lt::exchange
