#pragma once
// The request pipeline, free of any networking: request id, routing, authentication and
// authorisation, the handler, error mapping, security headers, static files, metrics and the
// access log. The Beast server calls dispatch() on a worker thread.
#include <memory>
#include <string>
#include <unordered_map>

#include "platform/http/router.hpp"
#include "platform/metrics/metrics.hpp"

namespace lt::http {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Establishes the principal from the request's credentials; nullopt when there are none or they
  // are invalid.
  virtual std::optional<Principal> authenticate(const Request& req) = 0;
  // Throws ApiError (403) when the principal may not use the route.
  virtual void authorize(const Principal& p, const Route& route, const Request& req) = 0;
};

struct DispatchOptions {
  size_t default_body_limit = 1 << 20;
  std::string static_dir;     // built web app (web/dist); empty: none
  bool hsts = false;          // always send Strict-Transport-Security
  bool trust_proxy = false;   // honour X-Forwarded-For / X-Forwarded-Proto from the front proxy
  bool trust_client_cert = false;  // and its verified client certificate (X-Client-Verify, X-Client-Cert)
  bool access_log = true;
};

class Dispatcher {
 public:
  Dispatcher(Router& router, metrics::Registry& metrics, DispatchOptions opts);
  void set_authenticator(Authenticator* a) { auth_ = a; }
  size_t body_limit(std::string_view method, std::string_view path) const;
  // True when the request may be dispatched on the network thread: a non-blocking route, or a
  // static file of the web app.
  bool runs_inline(std::string_view method, std::string_view path) const;
  // Never throws.
  Response dispatch(Request& req);
  const DispatchOptions& options() const { return opts_; }
  size_t static_files() const { return files_.size(); }

 private:
  struct File {
    std::string body, mime, cache, etag;
  };
  void load_static(const std::string& dir);
  Response serve_static(const Request& req) const;
  void finish(const Request& req, Response& res) const;

  Router& router_;
  metrics::Registry& metrics_;
  DispatchOptions opts_;
  Authenticator* auth_ = nullptr;
  std::unordered_map<std::string, File> files_;
};

std::string new_request_id();

}  // namespace lt::http
