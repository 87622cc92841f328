#include "platform/http/dispatch.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "platform/crypto/crypto.hpp"
#include "platform/db/db.hpp"
#include "platform/log/log.hpp"
#include "platform/util/error.hpp"

namespace lt::http {

// ---- Request / Response helpers -------------------------------------------------------------

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::string Request::cookie(std::string_view name) const {
  std::string_view all = header("cookie");
  while (!all.empty()) {
    size_t semi = all.find(';');
    std::string_view part = all.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    all.remove_prefix(semi + 1);
  }
  return {};
}

const std::string& Request::param(std::string_view name) const {
  auto it = params.find(name);
  if (it == params.end()) throw std::logic_error("no path parameter " + std::string(name));
  return it->second;
}

const Principal& Request::who() const {
  if (!principal) throw ApiError::unauthorized();
  return *principal;
}

Response Response::json(const boost::json::value& v, int status) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(v);
  return r;
}

Response Response::error(int status, std::string_view code, std::string_view message, std::string_view field) {
  boost::json::object e{{"code", code}, {"message", message}};
  e["field"] = field.empty() ? boost::json::value(nullptr) : boost::json::value(field);
  return json(boost::json::object{{"error", std::move(e)}}, status);
}

Response Response::text(std::string body, std::string content_type, int status) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

std::string new_request_id() {
  static const std::string prefix = crypto::hex(crypto::random_bytes(4));
  static std::atomic<uint64_t> counter{0};
  return prefix + "-" + std::to_string(counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

// ---- Dispatcher ---------------------------------------------------------------------------

namespace {
constexpr const char* kCsp =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

std::string mime_for(const std::string& ext) {
  static const std::unordered_map<std::string, std::string> m = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".gif", "image/gif"}, {".ico", "image/x-icon"},
      {".webp", "image/webp"}, {".woff", "font/woff"}, {".woff2", "font/woff2"}, {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"}, {".pdf", "application/pdf"}, {".webmanifest", "application/manifest+json"}};
  auto it = m.find(ext);
  return it == m.end() ? "application/octet-stream" : it->second;
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
  return true;
}
}  // namespace

Dispatcher::Dispatcher(Router& router, metrics::Registry& metrics, DispatchOptions opts)
    : router_(router), metrics_(metrics), opts_(std::move(opts)) {
  if (!opts_.static_dir.empty()) load_static(opts_.static_dir);
}

void Dispatcher::load_static(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    spdlog::warn("static directory {} not found: the web app is not served (build it with `make web`)", dir);
    return;
  }
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    File f;
    f.body.assign(std::istreambuf_iterator<char>(in), {});
    f.mime = mime_for(e.path().extension().string());
    std::string rel = "/" + fs::relative(e.path(), dir).generic_string();
    // Vite puts content-hashed files under /assets/: cache them for a year; the rest revalidates.
    f.cache = rel.rfind("/assets/", 0) == 0 ? "public, max-age=31536000, immutable" : "no-cache";
    f.etag = "\"" + crypto::sha256_hex(f.body).substr(0, 16) + "\"";
    files_.emplace(rel, std::move(f));
  }
  spdlog::info("serving {} static files from {}", files_.size(), dir);
}

Response Dispatcher::serve_static(const Request& req) const {
  const File* f = nullptr;
  if (auto it = files_.find(req.path); it != files_.end()) f = &it->second;
  else if (req.path == "/" || req.path.rfind("/api/", 0) != 0) {
    // SPA fallback: a client-side route gets index.html, a missing asset gets 404. A path is an
    // asset when it is under /assets/ or ends in a known file extension; client routes may hold
    // dots (/thu-tuc/1.001193, /ho-so/000.21.04.H26-260213-0001).
    std::string_view last = std::string_view(req.path).substr(req.path.rfind('/') + 1);
    size_t dot = last.rfind('.');
    bool asset = req.path.rfind("/assets/", 0) == 0 ||
                 (dot != std::string_view::npos && mime_for(std::string(last.substr(dot))) != "application/octet-stream");
    if (!asset)
      if (auto it = files_.find("/index.html"); it != files_.end()) f = &it->second;
  }
  if (!f) return Response::error(404, "not_found", "Không tìm thấy / Not found");
  Response r;
  r.content_type = f->mime;
  r.set_header("Cache-Control", f->cache);
  r.set_header("ETag", f->etag);
  if (req.header("if-none-match") == f->etag) {
    r.status = 304;
    return r;
  }
  r.body = f->body;
  return r;
}

size_t Dispatcher::body_limit(std::string_view method, std::string_view path) const {
  auto m = router_.match(method, path);
  return m.route && m.route->body_limit ? m.route->body_limit : opts_.default_body_limit;
}

bool Dispatcher::runs_inline(std::string_view method, std::string_view path) const {
  auto m = router_.match(method, path);
  if (m.route) return m.route->non_blocking;
  return (method == "GET" || method == "HEAD") && !files_.empty() && !m.path_known;
}

void Dispatcher::finish(const Request& req, Response& res) const {
  res.set_header("X-Request-Id", req.request_id);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Content-Security-Policy", kCsp);
  if (opts_.hsts || req.tls) res.set_header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  bool has_cache = false;
  for (const auto& [k, _] : res.headers) has_cache |= k == "Cache-Control";
  if (!has_cache) res.set_header("Cache-Control", "no-store");
}

namespace {
// "%2D%2D%2D%2DBEGIN…" → "----BEGIN…" (invalid escapes are kept as they are).
std::string percent_decode(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size() && hex(v[i + 1]) >= 0 && hex(v[i + 2]) >= 0) {
      out += static_cast<char>(hex(v[i + 1]) * 16 + hex(v[i + 2]));
      i += 2;
    } else {
      out += v[i];
    }
  }
  return out;
}
}  // namespace

Response Dispatcher::dispatch(Request& req) {
  auto t0 = std::chrono::steady_clock::now();
  if (std::string_view id = req.header("x-request-id"); valid_request_id(id)) req.request_id = std::string(id);
  else req.request_id = new_request_id();
  if (opts_.trust_proxy) {
    // The last entry is the one the trusted proxy appended; earlier ones come from the client.
    if (auto xff = req.header("x-forwarded-for"); !xff.empty()) {
      auto last = xff.substr(xff.rfind(',') == std::string_view::npos ? 0 : xff.rfind(',') + 1);
      while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
      req.client_ip = std::string(last);
    }
    req.tls = req.header("x-forwarded-proto") == "https";
    if (opts_.trust_client_cert && req.header("x-client-verify") == "SUCCESS") req.client_cert = percent_decode(req.header("x-client-cert"));
  }

  Response res;
  try {
    auto m = router_.match(req.method, req.path);
    if (!m.route) {
      if ((req.method == "GET" || req.method == "HEAD") && !files_.empty() && !m.path_known) {
        req.route = "static";
        res = serve_static(req);
      } else if (m.path_known) {
        req.route = "unmatched";
        std::string allow;
        for (const auto& a : m.allowed) allow += (allow.empty() ? "" : ", ") + a;
        res = Response::error(405, "method_not_allowed", "Phương thức không được hỗ trợ / Method not allowed");
        res.set_header("Allow", allow);
      } else {
        req.route = "unmatched";
        res = Response::error(404, "not_found", "Không tìm thấy / Not found");
      }
    } else {
      const Route& route = *m.route;
      req.route = route.pattern;
      req.params = std::move(m.params);
      if (route.permission != kPublic) {
        if (!auth_) throw ApiError(500, "internal", "no authenticator");
        req.principal = auth_->authenticate(req);
        if (!req.principal) throw ApiError::unauthorized();
        auth_->authorize(*req.principal, route, req);
      }
      res = route.handler(req);
    }
  } catch (const ApiError& e) {
    res = Response::error(e.status(), e.code(), e.what(), e.field());
    if (e.status() == 401) res.set_header("WWW-Authenticate", "Bearer");
  } catch (const db::Error& e) {
    if (e.kind() == db::Error::Kind::unique_violation) {
      res = Response::error(409, "conflict", "Dữ liệu đã tồn tại / Already exists");
    } else if (e.kind() == db::Error::Kind::busy) {
      res = Response::error(503, "busy", "Hệ thống đang bận, vui lòng thử lại / Busy, retry");
      res.set_header("Retry-After", "1");
    } else {
      spdlog::error("{{\"request_id\":\"{}\",\"error\":\"database\",\"detail\":{}}}", req.request_id,
                    boost::json::serialize(boost::json::value(e.what())));
      res = Response::error(500, "internal", "Lỗi hệ thống / Internal error");
    }
  } catch (const std::exception& e) {
    spdlog::error("{{\"request_id\":\"{}\",\"error\":\"exception\",\"detail\":{}}}", req.request_id,
                  boost::json::serialize(boost::json::value(e.what())));
    res = Response::error(500, "internal", "Lỗi hệ thống / Internal error");
  }
  finish(req, res);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  metrics_.observe_request(req.method, req.route, res.status, secs);
  if (opts_.access_log) {
    log::access().info(
        "\"msg\":\"request\",\"request_id\":\"{}\",\"method\":\"{}\",\"path\":{},\"route\":{},\"status\":{},"
        "\"ms\":{:.3f},\"bytes\":{},\"client\":\"{}\",\"account\":{}}}",
        req.request_id, req.method, boost::json::serialize(boost::json::value(req.path)),
        boost::json::serialize(boost::json::value(req.route)), res.status, secs * 1000, res.body.size(), req.client_ip,
        req.principal ? req.principal->account_id : 0);
  }
  return res;
}

}  // namespace lt::http
