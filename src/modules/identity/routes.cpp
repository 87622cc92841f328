// HTTP routes of the identity module. Every route names the permission it needs.
#include <boost/json.hpp>

#include "modules/identity/identity.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"

namespace lt::identity {

namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {
int64_t id_param(const Request& req, std::string_view name = "id") {
  const std::string& s = req.param(name);
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used == s.size() && v > 0) return v;
  } catch (...) {
  }
  throw ApiError::bad_request("invalid_value", "Mã không hợp lệ / Invalid id", std::string(name));
}

int64_t query_int(const Request& req, const char* name, int64_t def, int64_t lo, int64_t hi) {
  auto v = req.query_param(name);
  if (!v) return def;
  try {
    size_t used = 0;
    long long n = std::stoll(*v, &used);
    if (used == v->size()) return std::clamp<int64_t>(n, lo, hi);
  } catch (...) {
  }
  throw ApiError::bad_request("invalid_value", "Giá trị phải là số / Must be a number", name);
}

std::string session_cookie(const Request& req, const std::string& token, int max_age) {
  std::string c = "lt_session=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (req.tls) c += "; Secure";
  return c;
}

bj::object key_json(const Service::ApiKey& k) {
  return {{"id", k.id},
          {"prefix", k.prefix},
          {"created_at", k.created_at},
          {"expires_at", k.expires_at.empty() ? bj::value(nullptr) : bj::value(k.expires_at)},
          {"revoked_at", k.revoked_at.empty() ? bj::value(nullptr) : bj::value(k.revoked_at)}};
}
}  // namespace

void Service::add_routes(http::Router& r) {
  const std::string pub(http::kPublic), auth(http::kAuthenticated);

  r.add({"POST", "/api/v1/auth/login", pub, "Sign in with username and password (and TOTP code when enabled)",
         [this](Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           auto username = rd.str("username", 64);
           auto password = rd.str("password", 128);
           auto totp = rd.opt_str("totp_code", 10).value_or("");
           rd.done();
           auto res = login(username, password, totp, req.client_ip, req.request_id);
           auto out = Response::json({{"token", res.token}, {"expires_at", res.expires_at}, {"account", to_json(res.account)}});
           out.set_header("Set-Cookie", session_cookie(req, res.token, opts_.session_ttl_minutes * 60));
           return out;
         }});
  r.add({"POST", "/api/v1/auth/logout", auth, "End the current session", [this](Request& req) {
           logout(req.who(), Actor::of(req));
           auto out = Response::json({{"ok", true}});
           out.set_header("Set-Cookie", session_cookie(req, "", 0));
           return out;
         }});
  r.add({"POST", "/api/v1/auth/register", pub, "Citizen or business self-registration (starts unverified)",
         [this](Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           auto username = rd.str("username", 64);
           auto password = rd.str("password", 128);
           auto display_name = rd.str("display_name", 200);
           auto kind = rd.str("kind", 20);
           auto email = rd.opt_str("email", 254).value_or("");
           rd.done();
           try {
             check_password_policy(password, username);
           } catch (const ApiError& e) {
             throw ApiError(e.status(), e.code(), e.what(), "password");
           }
           auto acc = self_register(username, password, display_name, kind, email, Actor::of(req));
           return Response::json({{"account", to_json(acc)}}, 201);
         }});
  r.add({"POST", "/api/v1/auth/password-reset/request", pub, "Mail a password-reset link (always 202)",
         [this](Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           auto username = rd.str("username", 64);
           rd.done();
           request_password_reset(username, Actor::of(req));
           return Response::json({{"ok", true}}, 202);
         }});
  r.add({"POST", "/api/v1/auth/password-reset/confirm", pub, "Set a new password with a mailed reset token",
         [this](Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           auto token = rd.str("token", 200);
           auto pw = rd.str("new_password", 128);
           rd.done();
           confirm_password_reset(token, pw, Actor::of(req));
           return Response::json({{"ok", true}});
         }});

  r.add({"GET", "/api/v1/me", auth, "The signed-in account", [this](Request& req) {
           auto a = current(req.who());
           auto o = to_json(a);
           if (!a.personal_id.empty()) o["personal_id"] = a.personal_id;
           if (!a.enterprise_code.empty()) o["enterprise_code"] = a.enterprise_code;
           return Response::json({{"account", std::move(o)}});
         },
         0, true});  // the account as remembered with the credential
  r.add({"GET", "/api/v1/me/colleagues", auth, "Active officials of the caller's agency (id, name, role): whom a leader assigns a dossier to",
         [this](Request& req) {
           const auto& who = req.who();
           if (who.kind != "official" || who.agency_code.empty())
             throw ApiError::forbidden("Chỉ cán bộ của một cơ quan / Officials of an agency only");
           return Response::json({{"items", colleagues(who.agency_code)}});
         }});
  r.add({"POST", "/api/v1/me/password", auth, "Change the signed-in account's password", [this](Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           auto cur = rd.str("current_password", 128);
           auto next = rd.str("new_password", 128);
           rd.done();
           change_password(req.who(), cur, next, Actor::of(req));
           return Response::json({{"ok", true}});
         }});
  r.add({"POST", "/api/v1/me/totp/setup", auth, "Start two-factor set-up (officials): returns the secret",
         [this](Request& req) {
           auto [secret, uri] = totp_setup(req.who(), Actor::of(req));
           return Response::json({{"secret", secret}, {"otpauth_uri", uri}});
         }});
  r.add({"POST", "/api/v1/me/totp/enable", auth, "Confirm two-factor set-up with a current code", [this](Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           auto code = rd.str("code", 10);
           rd.done();
           totp_enable(req.who(), code, Actor::of(req));
           return Response::json({{"ok", true}});
         }});
  r.add({"POST", "/api/v1/me/totp/disable", auth, "Turn two-factor sign-in off (needs the password)", [this](Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           auto pw = rd.str("password", 128);
           rd.done();
           totp_disable(req.who(), pw, Actor::of(req));
           return Response::json({{"ok", true}});
         }});

  r.add({"GET", "/api/v1/accounts", "accounts.read", "Accounts in the caller's scope (q, role, unit, limit, offset)",
         [this](Request& req) {
           ListQuery q;
           q.q = req.query_param("q").value_or("");
           q.role = req.query_param("role").value_or("");
           q.unit = req.query_param("unit").value_or("");
           q.limit = query_int(req, "limit", 50, 1, 500);
           q.offset = query_int(req, "offset", 0, 0, INT64_MAX);
           auto [items, total] = list(q, req.who());
           bj::array a;
           for (const auto& x : items) a.push_back(to_json(x));
           return Response::json({{"items", std::move(a)}, {"total", total}});
         }});
  r.add({"POST", "/api/v1/accounts", "accounts.manage", "Create an account; returns a one-time password",
         [this](Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           CreateAccount c;
           c.username = rd.str("username", 64);
           c.display_name = rd.str("display_name", 200);
           c.role = rd.str("role", 40);
           c.unit_code = rd.opt_str("unit_code", 10).value_or("");
           c.agency_code = rd.opt_str("agency_code", 40).value_or("");
           c.email = rd.opt_str("email", 254).value_or("");
           rd.done();
           auto [acc, otp] = create(c, Actor::of(req));
           return Response::json({{"account", to_json(acc)}, {"one_time_password", otp}}, 201);
         }});
  r.add({"GET", "/api/v1/accounts/{id}", "accounts.read", "One account", [this](Request& req) {
           auto a = get(id_param(req));
           if (req.who().role == "one-stop-officer") {
             if (a.kind != "citizen" && a.kind != "business") throw ApiError::forbidden();
           } else {
             check_manage(req.who(), a);
           }
           return Response::json({{"account", to_json(a)}});
         }});
  r.add({"PATCH", "/api/v1/accounts/{id}", "accounts.manage",
         "Change display_name, role, unit_code, agency_code, email or status", [this](Request& req) {
           auto body = json::parse_object(req.body);
           return Response::json({{"account", to_json(update(id_param(req), body, Actor::of(req)))}});
         }});
  r.add({"POST", "/api/v1/accounts/{id}/reset-password", "accounts.manage",
         "Admin reset: a one-time password that must be changed at next sign-in", [this](Request& req) {
           return Response::json({{"one_time_password", reset_password(id_param(req), Actor::of(req))}});
         }});
  r.add({"POST", "/api/v1/accounts/{id}/revoke-sessions", "accounts.manage", "End every session of the account",
         [this](Request& req) {
           revoke_sessions(id_param(req), Actor::of(req));
           return Response::json({{"ok", true}});
         }});
  r.add({"POST", "/api/v1/accounts/{id}/verify", "accounts.verify",
         "Verify a citizen (personal_id) or business (enterprise_code) account at the counter", [this](Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           auto pid = rd.opt_str("personal_id", 12).value_or("");
           auto ent = rd.opt_str("enterprise_code", 14).value_or("");
           rd.done();
           return Response::json({{"account", to_json(verify_account(id_param(req), pid, ent, Actor::of(req)))}});
         }});
  r.add({"GET", "/api/v1/accounts/{id}/api-keys", "accounts.manage", "API keys of an account (no secrets)",
         [this](Request& req) {
           int64_t id = id_param(req);
           check_manage(req.who(), get(id));
           bj::array a;
           for (const auto& k : list_api_keys(id)) a.push_back(key_json(k));
           return Response::json({{"items", std::move(a)}});
         }});
  r.add({"POST", "/api/v1/accounts/{id}/api-keys", "accounts.manage",
         "Issue a new API key; older keys expire after overlap_hours (rotation)", [this](Request& req) {
           std::optional<int> overlap;
           if (!req.body.empty()) {
             auto body = json::parse_object(req.body);
             json::Reader rd(body);
             if (auto v = rd.opt_i64("overlap_hours")) {
               if (*v < 0 || *v > 24 * 90)
                 throw ApiError::bad_request("invalid_value", "overlap_hours: 0–2160", "overlap_hours");
               overlap = static_cast<int>(*v);
             }
             rd.done();
           }
           auto [k, secret] = create_api_key(id_param(req), overlap, Actor::of(req));
           auto o = key_json(k);
           o["key"] = secret;
           return Response::json(o, 201);
         }});
  r.add({"DELETE", "/api/v1/accounts/{id}/api-keys/{key_id}", "accounts.manage", "Revoke an API key now",
         [this](Request& req) {
           revoke_api_key(id_param(req), id_param(req, "key_id"), Actor::of(req));
           return Response::json({{"ok", true}});
         }});
}

}  // namespace lt::identity
