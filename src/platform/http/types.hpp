#pragma once
// What modules see of HTTP: a parsed request, a response, the authenticated principal, and the
// route table entry. No Beast/Asio here.
#include <boost/json/fwd.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lt::http {

// Who is calling, as established by the authenticator (session cookie/bearer token or API key).
struct Principal {
  int64_t account_id = 0;
  std::string username;
  std::string display_name;
  std::string kind;       // official | citizen | business | member-system
  std::string role;       // system-admin | province-admin | one-stop-officer | specialist | leader | citizen | business | member-system
  std::string unit_code;  // empty for citizens and businesses
  std::string agency_code;
  std::string personal_id;      // verified citizens: their 12-digit personal identification number
  std::string enterprise_code;  // verified businesses: their enterprise code
  bool verified = false;
  bool must_change_password = false;
  std::string via;         // "session" | "api_key"
  std::string credential;  // hash of the session token or id of the API key
  // How audit records and provenance name this principal: "account:<id>".
  std::string actor() const { return "account:" + std::to_string(account_id); }
};

struct Request {
  std::string method;  // upper case
  std::string target;  // as received
  std::string path;    // percent-decoded path, without the query
  std::multimap<std::string, std::string> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::map<std::string, std::string, std::less<>> params;  // path parameters
  std::string request_id;
  std::string client_ip;
  bool tls = false;  // behind a TLS-terminating proxy that said so
  // The client certificate (PEM) the trusted TLS-terminating proxy verified (`X-Client-Cert`, URL-
  // escaped as nginx's $ssl_client_escaped_cert, with `X-Client-Verify: SUCCESS`); empty otherwise.
  std::string client_cert;
  std::optional<Principal> principal;
  std::string route;  // the matched route pattern, for logs and metrics

  std::string_view header(std::string_view lower_name) const;
  std::optional<std::string> query_param(std::string_view name) const;
  std::string cookie(std::string_view name) const;
  const std::string& param(std::string_view name) const;
  const Principal& who() const;  // the principal; throws 401 when anonymous
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;  // close the connection after this response

  static Response json(const boost::json::value& v, int status = 200);
  static Response error(int status, std::string_view code, std::string_view message, std::string_view field = {});
  static Response text(std::string body, std::string content_type = "text/plain; charset=utf-8", int status = 200);
  void set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

using Handler = std::function<Response(Request&)>;

// Permissions with a fixed meaning; every other string is checked by the Authenticator.
inline constexpr std::string_view kPublic = "public";                // no authentication
inline constexpr std::string_view kAuthenticated = "authenticated";  // any signed-in principal

struct Route {
  std::string method;
  std::string pattern;     // "/api/v1/accounts/{id}"
  std::string permission;  // required: kPublic, kAuthenticated or a named permission
  std::string summary;     // one line, for the API description
  Handler handler;
  size_t body_limit = 0;   // 0: the server default (1 MiB)
  // The handler never blocks (no database, no waiting): it runs on the network thread that read the
  // request, without the hop to the worker pool and back. Authentication may still read the
  // database when the credential is not remembered (Options::auth_cache_ms).
  bool non_blocking = false;
};

}  // namespace lt::http
