#pragma once
// Identity and access: accounts of officials, citizens, businesses and member systems; sessions;
// API keys; roles scoped to units; login throttling; TOTP; password change and reset.
#include <boost/json/fwd.hpp>

#include <chrono>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "modules/audit/audit.hpp"
#include "modules/units/units.hpp"
#include "platform/db/db.hpp"
#include "platform/http/dispatch.hpp"

namespace lt::identity {

// Roles and what each may do. Officials act within their unit (the unit and everything under it).
inline const std::vector<std::string> kRoles = {"system-admin", "province-admin", "one-stop-officer", "specialist",
                                                 "leader",       "citizen",        "business",         "member-system"};
bool is_official_role(std::string_view role);
std::string kind_of_role(std::string_view role);
// Named permissions a role holds (routes declare one of these, kPublic or kAuthenticated).
const std::set<std::string, std::less<>>& permissions_of(std::string_view role);

struct Account {
  int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string kind;
  std::string role;
  std::string unit_code;
  std::string agency_code;
  std::string email;
  std::string status = "active";  // active | disabled
  bool verified = false;
  std::string personal_id;      // citizens, once verified
  std::string enterprise_code;  // businesses, once verified
  bool must_change_password = false;
  bool totp_enabled = false;
  std::string created_at;
};

struct Options {
  int session_ttl_minutes = 720;
  std::string password_hash_cost = "interactive";
  int login_max_failures = 5;
  int login_ip_max_failures = 30;
  int login_lockout_minutes = 15;
  int api_key_overlap_hours = 24;
  std::string public_url = "http://localhost:8080";
  std::string secret_key;  // 32 bytes: seals TOTP secrets
  // How long an authenticated credential is remembered in memory (0: always ask the database).
  // Every identity write in this process forgets everything at once; another process (a second
  // server node, the CLI) sees a revoked session or key at most this long after it was revoked.
  int auth_cache_ms = 1000;
};

// Who performs a write, for the audit record.
struct Actor {
  std::string actor = "system";
  std::string request_id;
  std::optional<http::Principal> principal;
  static Actor of(const http::Request& req);
  static Actor cli() { return {"cli", "", std::nullopt}; }
};

struct LoginResult {
  std::string token;
  std::string expires_at;
  Account account;
};

struct CreateAccount {
  std::string username;
  std::string display_name;
  std::string role;
  std::string unit_code;
  std::string agency_code;
  std::string email;
  std::optional<std::string> password;  // none: a one-time password is generated
  bool must_change_password = true;
  bool verified = false;
  std::string personal_id;
  std::string enterprise_code;
};

class Service : public http::Authenticator {
 public:
  Service(db::Database& db, units::Service& units, audit::Log& audit, Options opts);
  static void add_migrations(db::Migrator& m);

  // Authentication.
  LoginResult login(const std::string& username, const std::string& password, const std::string& totp_code,
                    const std::string& client_ip, const std::string& request_id);
  void logout(const http::Principal& p, const Actor& a);
  std::optional<http::Principal> authenticate(const http::Request& req) override;
  void authorize(const http::Principal& p, const http::Route& route, const http::Request& req) override;

  // Accounts. `actor` is checked against the target's unit for officials with a scope.
  std::pair<Account, std::string> create(const CreateAccount& c, const Actor& a);  // account, one-time password
  Account get(int64_t id) const;
  // The account as it was when the request's credential was last checked (at most auth_cache_ms
  // ago), without a database read when it is remembered; else get(id).
  Account current(const http::Principal& p) const;
  std::optional<Account> find_by_username(const std::string& username) const;
  struct ListQuery {
    std::string q, role, unit;
    int64_t limit = 50, offset = 0;
  };
  std::pair<std::vector<Account>, int64_t> list(const ListQuery& q, const http::Principal& viewer) const;
  Account update(int64_t id, const boost::json::object& changes, const Actor& a);
  std::string reset_password(int64_t id, const Actor& a);  // returns a one-time password
  void change_password(const http::Principal& p, const std::string& current, const std::string& next, const Actor& a);
  Account verify_account(int64_t id, const std::string& personal_id, const std::string& enterprise_code, const Actor& a);
  void revoke_sessions(int64_t id, const Actor& a);
  Account self_register(const std::string& username, const std::string& password, const std::string& display_name,
                        const std::string& kind, const std::string& email, const Actor& a);
  // Self-service reset: always succeeds from the caller's view; mails a token when the account has an e-mail.
  void request_password_reset(const std::string& username, const Actor& a);
  void confirm_password_reset(const std::string& token, const std::string& new_password, const Actor& a);

  // TOTP for officials.
  std::pair<std::string, std::string> totp_setup(const http::Principal& p, const Actor& a);  // secret (base32), otpauth URI
  void totp_enable(const http::Principal& p, const std::string& code, const Actor& a);
  void totp_disable(const http::Principal& p, const std::string& password, const Actor& a);

  // API keys of member systems (and of any account an admin chooses).
  struct ApiKey {
    int64_t id;
    std::string prefix, created_at, expires_at, revoked_at;
  };
  std::pair<ApiKey, std::string> create_api_key(int64_t account_id, std::optional<int> overlap_hours, const Actor& a);
  std::vector<ApiKey> list_api_keys(int64_t account_id) const;
  // Installs a key chosen by the caller (the demo's fixed key); production keys come from create_api_key.
  void install_api_key(int64_t account_id, const std::string& key, const Actor& a);
  void revoke_api_key(int64_t account_id, int64_t key_id, const Actor& a);

  // Checks that `p` may manage the account (scope and role rules); throws 403/404.
  void check_manage(const http::Principal& p, const Account& target) const;
  void check_agency(const std::string& agency_code, const std::string& unit_code) const;
  // Active officials of an agency: [{id, display_name, role}], by role then name.
  boost::json::array colleagues(const std::string& agency_code) const;

  void add_routes(http::Router& r);
  boost::json::object to_json(const Account& a) const;
  static void check_password_policy(const std::string& password, const std::string& username);

 private:
  // Every write of this service goes through here: when it has committed, the credentials
  // remembered in memory are forgotten (the next request reads the database again).
  template <class F>
  auto write(F&& f) {
    struct Forget {
      const Service* s;
      ~Forget() { s->forget_credentials(); }
    } forget{this};
    return db_.write(std::forward<F>(f));
  }
  void forget_credentials() const;
  struct Remembered {
    http::Principal principal;
    Account account;
    std::chrono::steady_clock::time_point until;
  };
  mutable std::mutex cache_mu_;
  mutable std::unordered_map<std::string, Remembered> cache_;  // by credential hash
  mutable uint64_t cache_gen_ = 0;

  void audit(db::Conn& c, const Actor& a, std::string action, const Account& target, const boost::json::object& detail);
  Account load(db::Conn& c, int64_t id) const;
  void throttle_check(db::Conn& c, const std::string& key, int max, int64_t now);
  void throttle_fail(db::Conn& c, const std::string& key, int max, int64_t now);

  db::Database& db_;
  units::Service& units_;
  audit::Log& audit_;
  Options opts_;
  std::string dummy_hash_;
};

}  // namespace lt::identity
