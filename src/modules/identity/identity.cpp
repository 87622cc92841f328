#include "modules/identity/identity.hpp"

#include <boost/json.hpp>
#include <map>

#include "platform/crypto/crypto.hpp"
#include "platform/outbox/outbox.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/text.hpp"
#include "platform/util/time.hpp"

namespace lt::identity {

namespace bj = boost::json;

// ---- roles -------------------------------------------------------------------------------------

bool is_official_role(std::string_view r) {
  return r == "system-admin" || r == "province-admin" || r == "one-stop-officer" || r == "specialist" || r == "leader";
}

std::string kind_of_role(std::string_view r) {
  if (r == "citizen") return "citizen";
  if (r == "business") return "business";
  if (r == "member-system") return "member-system";
  return "official";
}

const std::set<std::string, std::less<>>& permissions_of(std::string_view role) {
  static const std::map<std::string, std::set<std::string, std::less<>>, std::less<>> m = {
      {"system-admin",
       {"accounts.read", "accounts.manage", "accounts.verify", "keys.manage", "audit.read", "audit.verify", "units.manage",
        "units.import", "registry.read", "registry.write", "registry.import", "registry.quality", "registry.purposes", "pds.read",
        "pds.write", "calendar.manage", "catalog.manage", "exchange.manage"}},
      {"province-admin",
       {"accounts.read", "accounts.manage", "accounts.verify", "units.manage", "registry.read", "registry.write", "registry.import",
        "registry.quality", "pds.read", "pds.write", "catalog.manage", "exchange.manage"}},
      {"one-stop-officer", {"accounts.read", "accounts.verify", "registry.read", "pds.read", "pds.write"}},
      {"specialist", {"registry.read", "pds.read"}},
      {"leader", {"registry.read", "registry.quality"}},
      {"citizen", {}},
      {"business", {}},
      {"member-system", {}},
  };
  static const std::set<std::string, std::less<>> none;
  auto it = m.find(role);
  return it == m.end() ? none : it->second;
}

Actor Actor::of(const http::Request& req) {
  Actor a;
  a.request_id = req.request_id;
  a.principal = req.principal;
  a.actor = req.principal ? req.principal->actor() : "anonymous";
  return a;
}

// ---- schema ------------------------------------------------------------------------------------

void Service::add_migrations(db::Migrator& m) {
  m.add({"identity", 1, "accounts, sessions, api keys, throttling, password resets",
         "CREATE TABLE accounts (id {{id}}, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,"
         " kind TEXT NOT NULL, role TEXT NOT NULL, unit_code TEXT, province_code TEXT, agency_code TEXT, email TEXT,"
         " status TEXT NOT NULL DEFAULT 'active', verified INTEGER NOT NULL DEFAULT 0, personal_id TEXT,"
         " enterprise_code TEXT, password_hash TEXT NOT NULL, must_change_password INTEGER NOT NULL DEFAULT 0,"
         " totp_secret TEXT, totp_enabled INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
         "CREATE INDEX accounts_province ON accounts (province_code);"
         "CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, account_id BIGINT NOT NULL REFERENCES accounts (id),"
         " created_at TEXT NOT NULL, expires_at TEXT NOT NULL, revoked_at TEXT, client_ip TEXT);"
         "CREATE INDEX sessions_account ON sessions (account_id);"
         "CREATE TABLE api_keys (id {{id}}, account_id BIGINT NOT NULL REFERENCES accounts (id),"
         " key_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT);"
         "CREATE INDEX api_keys_account ON api_keys (account_id);"
         "CREATE TABLE login_throttle (throttle_key TEXT PRIMARY KEY, failures INTEGER NOT NULL,"
         " window_start TEXT NOT NULL, locked_until TEXT);"
         "CREATE TABLE password_resets (token_hash TEXT PRIMARY KEY, account_id BIGINT NOT NULL REFERENCES accounts (id),"
         " created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT);",
         {}});
  m.add({"identity", 2, "accent-insensitive account search; TOTP replay guard",
         "ALTER TABLE accounts ADD COLUMN search_folded TEXT NOT NULL DEFAULT '';"
         "ALTER TABLE accounts ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;",
         [](db::Conn& c) {
           for (const auto& r : c.q("SELECT id, username, display_name FROM accounts").rows)
             c.q("UPDATE accounts SET search_folded = ? WHERE id = ?", text::fold(r.str(1) + " " + r.str(2)), r.i64(0));
         }});
}

// ---- helpers -------------------------------------------------------------------------------------

namespace {
constexpr const char* kAccountCols =
    "a.id, a.username, a.display_name, a.kind, a.role, a.unit_code, a.agency_code, a.email, a.status, a.verified,"
    " a.personal_id, a.enterprise_code, a.must_change_password, a.totp_enabled, a.created_at";

Account account_from(const db::Row& r, size_t o = 0) {
  Account a;
  a.id = r.i64(o + 0);
  a.username = r.str(o + 1);
  a.display_name = r.str(o + 2);
  a.kind = r.str(o + 3);
  a.role = r.str(o + 4);
  a.unit_code = r.opt(o + 5).value_or("");
  a.agency_code = r.opt(o + 6).value_or("");
  a.email = r.opt(o + 7).value_or("");
  a.status = r.str(o + 8);
  a.verified = r.boolean(o + 9);
  a.personal_id = r.opt(o + 10).value_or("");
  a.enterprise_code = r.opt(o + 11).value_or("");
  a.must_change_password = r.boolean(o + 12);
  a.totp_enabled = r.boolean(o + 13);
  a.created_at = r.str(o + 14);
  return a;
}

std::optional<std::string> nonempty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

std::string normalize_username(std::string u) {
  u = std::string(text::trim(u));
  for (char& c : u) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return u;
}

void check_username(const std::string& u) {
  bool ok = u.size() >= 3 && u.size() <= 64;
  for (char c : u) ok &= std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '@';
  if (!ok)
    throw ApiError::bad_request("invalid_username",
                                "Tên đăng nhập 3–64 ký tự: chữ, số, . _ - @ / Username: 3–64 of letters, digits, . _ - @",
                                "username");
}

void check_email(const std::string& e) {
  if (e.empty()) return;
  auto at = e.find('@');
  if (at == std::string::npos || at == 0 || e.find('.', at) == std::string::npos || e.size() > 254 ||
      e.find_first_of(" \r\n<>") != std::string::npos)
    throw ApiError::bad_request("invalid_email", "Địa chỉ e-mail không hợp lệ / Invalid e-mail address", "email");
}

std::string one_time_password() {
  // 12 characters from an alphabet without look-alikes.
  static const char* a = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string raw = crypto::random_bytes(12), out;
  for (unsigned char c : raw) out += a[c % 55];
  return out;
}

bool digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}
}  // namespace

Service::Service(db::Database& db, units::Service& units, audit::Log& audit, Options opts)
    : db_(db), units_(units), audit_(audit), opts_(std::move(opts)) {
  dummy_hash_ = crypto::hash_password("lienthong-dummy-password", opts_.password_hash_cost);
}

void Service::check_password_policy(const std::string& pw, const std::string& username) {
  if (pw.size() < 8 || pw.size() > 128)
    throw ApiError::bad_request("weak_password", "Mật khẩu phải có 8–128 ký tự / Password must be 8–128 characters",
                                "new_password");
  if (normalize_username(pw) == normalize_username(username))
    throw ApiError::bad_request("weak_password", "Mật khẩu không được trùng tên đăng nhập / Password must differ from the username",
                                "new_password");
  bool letter = false, digit = false;
  for (unsigned char c : pw) {
    letter |= std::isalpha(c) || c >= 0x80;
    digit |= std::isdigit(c);
  }
  if (!letter || !digit)
    throw ApiError::bad_request("weak_password", "Mật khẩu cần có cả chữ và số / Password needs letters and digits",
                                "new_password");
}

bj::object Service::to_json(const Account& a) const {
  bj::object o{{"id", a.id},
               {"username", a.username},
               {"display_name", a.display_name},
               {"kind", a.kind},
               {"role", a.role},
               {"unit_code", json::nullable(nonempty(a.unit_code))},
               {"unit_name", nullptr},
               {"agency_code", json::nullable(nonempty(a.agency_code))},
               {"email", json::nullable(nonempty(a.email))},
               {"status", a.status},
               {"verified", a.verified},
               {"must_change_password", a.must_change_password},
               {"totp_enabled", a.totp_enabled},
               {"created_at", a.created_at}};
  if (!a.unit_code.empty())
    if (auto u = units_.get(a.unit_code)) o["unit_name"] = u->name;
  return o;
}

Account Service::load(db::Conn& c, int64_t id) const {
  auto r = c.q(std::string("SELECT ") + kAccountCols + " FROM accounts a WHERE a.id = ?", id);
  if (r.empty()) throw ApiError::not_found("Không có tài khoản này / No such account");
  return account_from(r.one());
}

Account Service::get(int64_t id) const {
  return db_.read([&](db::Conn& c) { return load(c, id); });
}

std::optional<Account> Service::find_by_username(const std::string& username) const {
  return db_.read([&](db::Conn& c) -> std::optional<Account> {
    auto r = c.q(std::string("SELECT ") + kAccountCols + " FROM accounts a WHERE a.username = ?", normalize_username(username));
    if (r.empty()) return std::nullopt;
    return account_from(r.one());
  });
}

void Service::audit(db::Conn& c, const Actor& a, std::string action, const Account& target, const bj::object& detail) {
  audit::Entry e;
  e.actor = a.actor;
  e.action = std::move(action);
  e.object_type = "account";
  e.object_id = std::to_string(target.id);
  e.unit_code = target.unit_code;
  e.request_id = a.request_id;
  e.detail = bj::serialize(detail);
  audit_.append(c, e);
  outbox::Outbox::publish(c, e.action == "account.create" ? "account.created" : "account.updated",
                          std::to_string(target.id),
                          bj::serialize(bj::object{{"account_id", target.id}, {"action", e.action}}));
}

// ---- login throttling --------------------------------------------------------------------------

void Service::throttle_check(db::Conn& c, const std::string& key, int, int64_t now) {
  auto r = c.q("SELECT locked_until FROM login_throttle WHERE throttle_key = ?", key);
  if (r.empty() || r.one().is_null(0)) return;
  auto until = timeutil::parse_iso(r.one().str(0));
  if (until && *until > now)
    throw ApiError(429, "too_many_attempts",
                   "Đăng nhập sai quá nhiều lần, vui lòng thử lại sau / Too many failed attempts, try again later");
}

void Service::throttle_fail(db::Conn& c, const std::string& key, int max, int64_t now) {
  int64_t window = int64_t{opts_.login_lockout_minutes} * 60000;
  auto r = c.q("SELECT failures, window_start FROM login_throttle WHERE throttle_key = ?", key);
  int64_t failures = 1;
  std::string start = timeutil::iso_utc(now);
  if (!r.empty()) {
    auto ws = timeutil::parse_iso(r.one().str(1));
    if (ws && now - *ws < window) {
      failures = r.one().i64(0) + 1;
      start = r.one().str(1);
    }
  }
  std::optional<std::string> locked;
  if (failures >= max) locked = timeutil::iso_utc(now + window);
  c.q("INSERT INTO login_throttle (throttle_key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)"
      " ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,"
      " locked_until = excluded.locked_until",
      key, failures, start, locked);
}

// ---- authentication ----------------------------------------------------------------------------

LoginResult Service::login(const std::string& username_in, const std::string& password, const std::string& totp_code,
                           const std::string& client_ip, const std::string& request_id) {
  std::string username = normalize_username(username_in);
  int64_t now = timeutil::now_ms();
  std::string acct_key = "acct:" + username, ip_key = "ip:" + client_ip;
  // Read first, hash outside any transaction (Argon2id takes ~0.2 s), then write.
  struct Found {
    std::optional<Account> account;
    std::string hash, totp_secret;
    int64_t totp_last_step = 0;
  };
  Found f = db_.read([&](db::Conn& c) {
    throttle_check(c, acct_key, opts_.login_max_failures, now);
    throttle_check(c, ip_key, opts_.login_ip_max_failures, now);
    Found out;
    auto r = c.q(std::string("SELECT ") + kAccountCols +
                     ", a.password_hash, a.totp_secret, a.totp_last_step FROM accounts a WHERE a.username = ?",
                 username);
    if (!r.empty()) {
      out.account = account_from(r.one());
      out.hash = r.one().str(15);
      out.totp_secret = r.one().opt(16).value_or("");
      out.totp_last_step = r.one().i64(17);
    }
    return out;
  });
  bool ok = crypto::verify_password(f.account ? f.hash : dummy_hash_, password) && f.account &&
            f.account->status == "active";
  bool totp_needed = false;
  int64_t totp_step_used = 0;
  if (ok && f.account->totp_enabled) {
    if (totp_code.empty()) {
      totp_needed = true;
    } else {
      auto sealed = crypto::base64url_decode(f.totp_secret);
      auto secret = sealed ? crypto::open(opts_.secret_key, *sealed) : std::nullopt;
      int64_t step = secret ? crypto::totp_step(*secret, totp_code, now / 1000) : -1;
      // A code is good once: a step at or before the last accepted one is a replay.
      ok = step > f.totp_last_step;
      totp_step_used = step;
    }
  }
  if (totp_needed)
    throw ApiError(401, "totp_required", "Cần mã xác thực 2 lớp / A one-time code is required", "totp_code");
  if (!ok) {
    write([&](db::Conn& c) {
      throttle_fail(c, acct_key, opts_.login_max_failures, now);
      throttle_fail(c, ip_key, opts_.login_ip_max_failures, now);
      audit::Entry e{"anonymous", "auth.login_failed", "account", f.account ? std::to_string(f.account->id) : username,
                     f.account ? f.account->unit_code : "", request_id,
                     bj::serialize(bj::object{{"username", username}, {"client_ip", client_ip}})};
      audit_.append(c, e);
    });
    throw ApiError(401, "invalid_credentials", "Sai tên đăng nhập hoặc mật khẩu / Wrong username or password",
                   totp_step_used != 0 || !totp_code.empty() ? "totp_code" : "");
  }
  LoginResult res;
  res.token = crypto::random_token(32);
  res.expires_at = timeutil::iso_utc(now + int64_t{opts_.session_ttl_minutes} * 60000);
  res.account = *f.account;
  write([&](db::Conn& c) {
    c.q("DELETE FROM login_throttle WHERE throttle_key = ?", acct_key);
    if (totp_step_used > 0) {
      // Compare-and-set, so two concurrent logins with the same code cannot both pass.
      auto upd = c.q("UPDATE accounts SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?", totp_step_used,
                     res.account.id, totp_step_used);
      if (upd.affected != 1) throw ApiError(401, "invalid_credentials", "Mã đã được dùng / Code already used", "totp_code");
    }
    c.q("INSERT INTO sessions (token_hash, account_id, created_at, expires_at, client_ip) VALUES (?, ?, ?, ?, ?)",
        crypto::sha256_hex(res.token), res.account.id, timeutil::iso_utc(now), res.expires_at, client_ip);
    audit::Entry e{"account:" + std::to_string(res.account.id), "auth.login", "account", std::to_string(res.account.id),
                   res.account.unit_code, request_id, bj::serialize(bj::object{{"client_ip", client_ip}})};
    audit_.append(c, e);
  });
  return res;
}

void Service::logout(const http::Principal& p, const Actor& a) {
  write([&](db::Conn& c) {
    if (p.via == "session")
      c.q("UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL", timeutil::now_iso(), p.credential);
    audit::Entry e{a.actor, "auth.logout", "account", std::to_string(p.account_id), p.unit_code, a.request_id, "{}"};
    audit_.append(c, e);
  });
}

std::optional<http::Principal> Service::authenticate(const http::Request& req) {
  std::string token;
  std::string_view authz = req.header("authorization");
  if (authz.size() > 7 && (authz.substr(0, 7) == "Bearer " || authz.substr(0, 7) == "bearer ")) token = authz.substr(7);
  else if (auto k = req.header("x-api-key"); !k.empty()) token = k;
  else token = req.cookie("lt_session");
  if (token.empty() || token.size() > 256) return std::nullopt;
  std::string hash = crypto::sha256_hex(token);
  auto steady = std::chrono::steady_clock::now();
  uint64_t gen = 0;
  {
    std::lock_guard lk(cache_mu_);
    if (auto it = cache_.find(hash); it != cache_.end()) {
      if (steady < it->second.until) return it->second.principal;
      cache_.erase(it);
    }
    gen = cache_gen_;
  }
  std::string now = timeutil::now_iso();
  bool api_key = token.rfind("ltk_", 0) == 0;
  auto remember = [&](const http::Principal& p, const Account& a) {
    if (opts_.auth_cache_ms <= 0) return;
    std::lock_guard lk(cache_mu_);
    if (gen != cache_gen_) return;  // a write committed meanwhile: what we read may be stale
    if (cache_.size() >= 100000) cache_.clear();
    cache_[hash] = {p, a, steady + std::chrono::milliseconds(opts_.auth_cache_ms)};
  };
  return db_.read([&](db::Conn& c) -> std::optional<http::Principal> {
    db::Result r =
        api_key ? c.q(std::string("SELECT ") + kAccountCols +
                          ", k.id FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = ? AND"
                          " k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?) AND a.status = 'active'",
                      hash, now)
                : c.q(std::string("SELECT ") + kAccountCols +
                          ", s.token_hash FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ?"
                          " AND s.revoked_at IS NULL AND s.expires_at > ? AND a.status = 'active'",
                      hash, now);
    if (r.empty()) return std::nullopt;
    Account a = account_from(r.one());
    http::Principal p;
    p.account_id = a.id;
    p.username = a.username;
    p.display_name = a.display_name;
    p.kind = a.kind;
    p.role = a.role;
    p.unit_code = a.unit_code;
    p.agency_code = a.agency_code;
    p.personal_id = a.personal_id;
    p.enterprise_code = a.enterprise_code;
    p.verified = a.verified;
    p.must_change_password = a.must_change_password;
    p.via = api_key ? "api_key" : "session";
    p.credential = r.one().str(15);
    remember(p, a);
    return p;
  });
}

void Service::forget_credentials() const {
  std::lock_guard lk(cache_mu_);
  ++cache_gen_;
  cache_.clear();
}

Account Service::current(const http::Principal& p) const {
  if (p.via == "session") {  // a session's credential is its token hash, the key remembered under
    std::lock_guard lk(cache_mu_);
    if (auto it = cache_.find(p.credential); it != cache_.end() && it->second.principal.account_id == p.account_id &&
                                             std::chrono::steady_clock::now() < it->second.until)
      return it->second.account;
  }
  return get(p.account_id);
}

void Service::authorize(const http::Principal& p, const http::Route& route, const http::Request&) {
  if (p.must_change_password && p.via == "session") {
    static const std::set<std::string, std::less<>> allowed = {"GET /api/v1/me", "POST /api/v1/me/password",
                                                                "POST /api/v1/auth/logout"};
    if (!allowed.contains(route.method + " " + route.pattern))
      throw ApiError(403, "password_change_required",
                     "Bạn cần đổi mật khẩu trước khi tiếp tục / Change your password to continue");
  }
  if (route.permission == http::kAuthenticated) return;
  if (!permissions_of(p.role).contains(route.permission)) throw ApiError::forbidden();
}

// ---- account management ------------------------------------------------------------------------

// An account's agency must be a registered, active agency of the account's province.
void Service::check_agency(const std::string& agency_code, const std::string& unit_code) const {
  auto a = units_.agency(agency_code);
  if (!a || a->status != "active")
    throw ApiError::bad_request("unknown_agency", "Không có cơ quan mã này / Unknown agency code", "agency_code");
  if (unit_code.empty() || a->province_code != units_.province_of(unit_code))
    throw ApiError::bad_request("agency_outside_unit", "Cơ quan không thuộc tỉnh của tài khoản / Agency outside the account's province",
                                "agency_code");
}

void Service::check_manage(const http::Principal& p, const Account& t) const {
  if (p.role == "system-admin") return;
  if (p.role == "province-admin") {
    if (t.role == "system-admin") throw ApiError::forbidden();
    if (t.kind == "citizen" || t.kind == "business") return;
    std::string prov = units_.province_of(p.unit_code);
    if (!prov.empty() && units_.within(t.unit_code, prov)) return;
  }
  throw ApiError::forbidden("Tài khoản nằm ngoài phạm vi quản lý của bạn / Account outside your scope");
}

std::pair<Account, std::string> Service::create(const CreateAccount& in, const Actor& a) {
  CreateAccount c = in;
  c.username = normalize_username(c.username);
  check_username(c.username);
  check_email(c.email);
  if (std::find(kRoles.begin(), kRoles.end(), c.role) == kRoles.end())
    throw ApiError::bad_request("invalid_role", "Vai trò không hợp lệ / Unknown role", "role");
  std::string kind = kind_of_role(c.role);
  if (kind == "official" || kind == "member-system") {
    if (c.unit_code.empty() && c.role != "system-admin")
      throw ApiError::bad_request("missing_field", "Cần đơn vị / unit_code is required for this role", "unit_code");
  }
  if (!c.unit_code.empty() && !units_.get(c.unit_code))
    throw ApiError::bad_request("unknown_unit", "Không có đơn vị hành chính mã này / Unknown unit code", "unit_code");
  if (!c.agency_code.empty()) check_agency(c.agency_code, c.unit_code);
  if (a.principal) {
    const auto& p = *a.principal;
    if (p.role == "province-admin") {
      if (c.role == "system-admin" || kind == "citizen" || kind == "business") throw ApiError::forbidden();
      std::string prov = units_.province_of(p.unit_code);
      if (!units_.within(c.unit_code, prov))
        throw ApiError::forbidden("Đơn vị nằm ngoài phạm vi quản lý của bạn / Unit outside your scope");
    } else if (p.role != "system-admin") {
      throw ApiError::forbidden();
    }
  }
  std::string otp;
  std::string password = c.password ? *c.password : (otp = one_time_password());
  if (c.password) check_password_policy(*c.password, c.username);
  std::string hash = crypto::hash_password(password, opts_.password_hash_cost);
  std::string now = timeutil::now_iso();
  Account acc = write([&](db::Conn& conn) {
    if (!conn.q("SELECT 1 FROM accounts WHERE username = ?", c.username).empty())
      throw ApiError::conflict("username_taken", "Tên đăng nhập đã tồn tại / Username already exists", "username");
    auto r = conn.q(
        "INSERT INTO accounts (username, display_name, kind, role, unit_code, province_code, agency_code, email, status,"
        " verified, personal_id, enterprise_code, password_hash, must_change_password, created_at, updated_at,"
        " search_folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        c.username, c.display_name, kind, c.role, nonempty(c.unit_code), nonempty(units_.province_of(c.unit_code)),
        nonempty(c.agency_code), nonempty(c.email), c.verified, nonempty(c.personal_id), nonempty(c.enterprise_code), hash,
        c.must_change_password, now, now, text::fold(c.username + " " + c.display_name));
    Account created = load(conn, r.one().i64(0));
    audit(conn, a, "account.create", created,
          {{"username", created.username}, {"role", created.role}, {"unit_code", c.unit_code}});
    return created;
  });
  return {acc, otp};
}

std::pair<std::vector<Account>, int64_t> Service::list(const ListQuery& q, const http::Principal& viewer) const {
  std::string where = " WHERE 1 = 1";
  std::vector<db::Param> params;
  if (viewer.role == "province-admin") {
    where += " AND a.role <> 'system-admin' AND (a.province_code = ? OR a.kind IN ('citizen', 'business'))";
    params.emplace_back(units_.province_of(viewer.unit_code));
  } else if (viewer.role == "one-stop-officer") {
    where += " AND a.kind IN ('citizen', 'business')";
  } else if (viewer.role != "system-admin") {
    throw ApiError::forbidden();
  }
  if (!q.role.empty()) {
    where += " AND a.role = ?";
    params.emplace_back(q.role);
  }
  if (!q.unit.empty()) {
    where += " AND (a.unit_code = ? OR a.province_code = ?)";
    params.emplace_back(q.unit);
    params.emplace_back(q.unit);
  }
  if (!q.q.empty()) {
    // Folded (lower case, no diacritics) on both sides: "hoa" finds "Đỗ Thị Hoà".
    std::string needle = text::fold(q.q);
    std::string escaped;
    for (char ch : needle) {
      if (ch == '%' || ch == '_' || ch == '\\') escaped += '\\';
      escaped += ch;
    }
    where += " AND a.search_folded LIKE ? ESCAPE '\\'";
    params.emplace_back("%" + escaped + "%");
  }
  return db_.read([&](db::Conn& c) {
    auto total = c.run("SELECT COUNT(*) FROM accounts a" + where, params).one().i64(0);
    auto p2 = params;
    p2.emplace_back(q.limit);
    p2.emplace_back(q.offset);
    auto rows = c.run(std::string("SELECT ") + kAccountCols + " FROM accounts a" + where + " ORDER BY a.id LIMIT ? OFFSET ?", p2);
    std::vector<Account> out;
    for (const auto& r : rows.rows) out.push_back(account_from(r));
    return std::make_pair(out, total);
  });
}

Account Service::update(int64_t id, const bj::object& ch, const Actor& a) {
  json::Reader rd(ch);
  auto display_name = rd.opt_str("display_name", 200);
  auto role = rd.opt_str("role", 40);
  auto unit_code = rd.opt_str("unit_code", 10);
  auto agency_code = rd.opt_str("agency_code", 40);
  auto status = rd.opt_str("status", 20);
  auto email = rd.opt_str("email", 254);
  rd.done();
  if (status && *status != "active" && *status != "disabled")
    throw ApiError::bad_request("invalid_value", "status phải là active hoặc disabled / status must be active or disabled", "status");
  if (role && std::find(kRoles.begin(), kRoles.end(), *role) == kRoles.end())
    throw ApiError::bad_request("invalid_role", "Vai trò không hợp lệ / Unknown role", "role");
  if (unit_code && !units_.get(*unit_code))
    throw ApiError::bad_request("unknown_unit", "Không có đơn vị hành chính mã này / Unknown unit code", "unit_code");
  if (email) check_email(*email);
  if (agency_code && !agency_code->empty()) check_agency(*agency_code, unit_code.value_or(get(id).unit_code));
  if (display_name && text::trim(*display_name).empty())
    throw ApiError::bad_request("missing_field", "Tên hiển thị không được để trống / display_name must not be empty", "display_name");
  return write([&](db::Conn& c) {
    Account t = load(c, id);
    if (a.principal) {
      check_manage(*a.principal, t);
      if (a.principal->account_id == id && (status || role))
        throw ApiError::bad_request("self_change", "Không thể tự đổi vai trò/trạng thái / Cannot change your own role or status", role ? "role" : "status");
      if (role && kind_of_role(*role) != t.kind)
        throw ApiError::bad_request("invalid_role", "Không thể đổi loại tài khoản / Cannot change the account kind", "role");
      if (a.principal->role == "province-admin") {
        if (role && *role == "system-admin") throw ApiError::forbidden();
        if (unit_code && !units_.within(*unit_code, units_.province_of(a.principal->unit_code)))
          throw ApiError::forbidden("Đơn vị nằm ngoài phạm vi quản lý của bạn / Unit outside your scope");
      }
    }
    bj::object detail;
    std::string now = timeutil::now_iso();
    if (display_name) {
      c.q("UPDATE accounts SET display_name = ?, search_folded = ?, updated_at = ? WHERE id = ?", *display_name,
          text::fold(t.username + " " + *display_name), now, id);
      detail["display_name"] = *display_name;
    }
    if (role) {
      c.q("UPDATE accounts SET role = ?, updated_at = ? WHERE id = ?", *role, now, id);
      detail["role"] = *role;
    }
    if (unit_code) {
      c.q("UPDATE accounts SET unit_code = ?, province_code = ?, updated_at = ? WHERE id = ?", *unit_code,
          units_.province_of(*unit_code), now, id);
      detail["unit_code"] = *unit_code;
    }
    if (agency_code) {
      c.q("UPDATE accounts SET agency_code = ?, updated_at = ? WHERE id = ?", nonempty(*agency_code), now, id);
      detail["agency_code"] = *agency_code;
    }
    if (email) {
      c.q("UPDATE accounts SET email = ?, updated_at = ? WHERE id = ?", nonempty(*email), now, id);
      detail["email"] = "(changed)";
    }
    if (status) {
      c.q("UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?", *status, now, id);
      if (*status == "disabled") c.q("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", now, id);
      detail["status"] = *status;
    }
    Account updated = load(c, id);
    audit(c, a, "account.update", updated, detail);
    return updated;
  });
}

std::string Service::reset_password(int64_t id, const Actor& a) {
  std::string otp = one_time_password();
  std::string hash = crypto::hash_password(otp, opts_.password_hash_cost);
  write([&](db::Conn& c) {
    Account t = load(c, id);
    if (a.principal) check_manage(*a.principal, t);
    std::string now = timeutil::now_iso();
    c.q("UPDATE accounts SET password_hash = ?, must_change_password = 1, updated_at = ? WHERE id = ?", hash, now, id);
    c.q("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", now, id);
    c.q("DELETE FROM login_throttle WHERE throttle_key = ?", "acct:" + t.username);
    audit(c, a, "account.reset_password", t, {});
  });
  return otp;
}

void Service::change_password(const http::Principal& p, const std::string& current, const std::string& next, const Actor& a) {
  auto hash = db_.read([&](db::Conn& c) { return c.q("SELECT password_hash FROM accounts WHERE id = ?", p.account_id).one().str(0); });
  if (!crypto::verify_password(hash, current))
    throw ApiError::bad_request("invalid_credentials", "Mật khẩu hiện tại không đúng / Current password is wrong", "current_password");
  check_password_policy(next, p.username);
  if (next == current)
    throw ApiError::bad_request("weak_password", "Mật khẩu mới phải khác mật khẩu cũ / The new password must differ", "new_password");
  std::string nh = crypto::hash_password(next, opts_.password_hash_cost);
  write([&](db::Conn& c) {
    std::string now = timeutil::now_iso();
    c.q("UPDATE accounts SET password_hash = ?, must_change_password = 0, updated_at = ? WHERE id = ?", nh, now, p.account_id);
    // Other sessions end; this one stays.
    c.q("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND token_hash <> ?", now,
        p.account_id, p.via == "session" ? p.credential : std::string());
    audit(c, a, "account.change_password", load(c, p.account_id), {});
  });
}

Account Service::verify_account(int64_t id, const std::string& pid, const std::string& ent, const Actor& a) {
  return write([&](db::Conn& c) {
    Account t = load(c, id);
    if (t.kind == "citizen") {
      if (pid.size() != 12 || !digits(pid))
        throw ApiError::bad_request("invalid_personal_id", "Số định danh cá nhân phải có 12 chữ số / Personal ID must be 12 digits", "personal_id");
      if (!ent.empty()) throw ApiError::bad_request("unknown_field", "Công dân không có mã doanh nghiệp / Citizens have no enterprise code", "enterprise_code");
    } else if (t.kind == "business") {
      bool ok = (ent.size() == 10 && digits(ent)) ||
                (ent.size() == 14 && digits(ent.substr(0, 10)) && ent[10] == '-' && digits(ent.substr(11)));
      if (!ok)
        throw ApiError::bad_request("invalid_enterprise_code", "Mã số doanh nghiệp: 10 chữ số hoặc 10-3 / Enterprise code: 10 digits or 10-3", "enterprise_code");
    } else {
      throw ApiError::bad_request("not_verifiable", "Chỉ xác thực tài khoản công dân, doanh nghiệp / Only citizen and business accounts are verified");
    }
    auto taken = t.kind == "citizen"
                     ? c.q("SELECT id FROM accounts WHERE personal_id = ? AND id <> ? AND status = 'active'", pid, id)
                     : c.q("SELECT id FROM accounts WHERE enterprise_code = ? AND id <> ? AND status = 'active'", ent, id);
    if (!taken.empty())
      throw ApiError::conflict("already_linked",
                               "Số định danh/mã doanh nghiệp đã gắn với tài khoản khác / Already linked to another account",
                               t.kind == "citizen" ? "personal_id" : "enterprise_code");
    std::string now = timeutil::now_iso();
    c.q("UPDATE accounts SET verified = 1, personal_id = ?, enterprise_code = ?, updated_at = ? WHERE id = ?",
        nonempty(pid), nonempty(ent), now, id);
    Account v = load(c, id);
    audit(c, a, "account.verify", v, {{"verified_by", a.actor}});
    return v;
  });
}

void Service::revoke_sessions(int64_t id, const Actor& a) {
  write([&](db::Conn& c) {
    Account t = load(c, id);
    if (a.principal) check_manage(*a.principal, t);
    auto r = c.q("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", timeutil::now_iso(), id);
    audit(c, a, "account.revoke_sessions", t, {{"sessions", r.affected}});
  });
}

Account Service::self_register(const std::string& username, const std::string& password, const std::string& display_name,
                               const std::string& kind, const std::string& email, const Actor& a) {
  if (kind != "citizen" && kind != "business")
    throw ApiError::bad_request("invalid_value", "kind phải là citizen hoặc business / kind must be citizen or business", "kind");
  CreateAccount c;
  c.username = username;
  c.display_name = display_name;
  c.role = kind;
  c.email = email;
  c.password = password;
  c.must_change_password = false;
  Actor anon = a;
  anon.principal.reset();
  return create(c, anon).first;
}

void Service::request_password_reset(const std::string& username, const Actor& a) {
  auto acc = find_by_username(username);
  if (!acc || acc->email.empty() || acc->status != "active") return;
  std::string token = crypto::random_token(32);
  int64_t now = timeutil::now_ms();
  write([&](db::Conn& c) {
    c.q("INSERT INTO password_resets (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        crypto::sha256_hex(token), acc->id, timeutil::iso_utc(now), timeutil::iso_utc(now + 3600000));
    std::string body = "Xin chào " + acc->display_name +
                       ",\n\nĐể đặt lại mật khẩu, mở liên kết sau trong vòng 1 giờ / To reset your password, open this link "
                       "within one hour:\n" +
                       opts_.public_url + "/reset-password?token=" + token +
                       "\n\nNếu bạn không yêu cầu, hãy bỏ qua thư này / If you did not ask for this, ignore this e-mail.\n";
    outbox::Outbox::publish(c, "mail.send", std::to_string(acc->id),
                            bj::serialize(bj::object{{"to", acc->email},
                                                     {"subject", "Đặt lại mật khẩu / Password reset — lienthong"},
                                                     {"body", body}}));
    audit(c, a, "account.password_reset_requested", *acc, {});
  });
}

void Service::confirm_password_reset(const std::string& token, const std::string& next, const Actor& a) {
  std::string th = crypto::sha256_hex(token);
  std::string now = timeutil::now_iso();
  auto row = db_.read([&](db::Conn& c) {
    return c.q("SELECT r.account_id, a.username FROM password_resets r JOIN accounts a ON a.id = r.account_id"
               " WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > ?",
               th, now);
  });
  if (row.empty())
    throw ApiError::bad_request("invalid_token", "Liên kết đặt lại mật khẩu không hợp lệ hoặc đã hết hạn / Invalid or expired reset token", "token");
  int64_t id = row.one().i64(0);
  check_password_policy(next, row.one().str(1));
  std::string nh = crypto::hash_password(next, opts_.password_hash_cost);
  write([&](db::Conn& c) {
    auto used = c.q("UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", now, th);
    if (used.affected != 1)
      throw ApiError::bad_request("invalid_token", "Liên kết đặt lại mật khẩu đã được dùng / Reset token already used", "token");
    c.q("UPDATE accounts SET password_hash = ?, must_change_password = 0, updated_at = ? WHERE id = ?", nh, now, id);
    c.q("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", now, id);
    audit(c, a, "account.password_reset", load(c, id), {});
  });
}

// ---- TOTP ----------------------------------------------------------------------------------------

std::pair<std::string, std::string> Service::totp_setup(const http::Principal& p, const Actor& a) {
  if (p.kind != "official")
    throw ApiError::bad_request("not_allowed", "Xác thực 2 lớp dành cho cán bộ / Two-factor sign-in is for officials");
  std::string secret = crypto::random_bytes(20);
  write([&](db::Conn& c) {
    Account t = load(c, p.account_id);
    if (t.totp_enabled)
      throw ApiError::conflict("totp_enabled", "Xác thực 2 lớp đã bật / Two-factor sign-in is already on");
    c.q("UPDATE accounts SET totp_secret = ?, updated_at = ? WHERE id = ?",
        crypto::base64url(crypto::seal(opts_.secret_key, secret)), timeutil::now_iso(), p.account_id);
    audit(c, a, "account.totp_setup", t, {});
  });
  std::string b32 = crypto::base32(secret);
  return {b32, "otpauth://totp/lienthong:" + p.username + "?secret=" + b32 + "&issuer=lienthong"};
}

void Service::totp_enable(const http::Principal& p, const std::string& code, const Actor& a) {
  write([&](db::Conn& c) {
    auto r = c.q("SELECT totp_secret FROM accounts WHERE id = ?", p.account_id);
    auto sealed = r.one().is_null(0) ? std::nullopt : crypto::base64url_decode(r.one().str(0));
    auto secret = sealed ? crypto::open(opts_.secret_key, *sealed) : std::nullopt;
    if (!secret) throw ApiError::bad_request("totp_not_setup", "Chưa thiết lập xác thực 2 lớp / Set up two-factor first");
    int64_t step = crypto::totp_step(*secret, code, timeutil::now_ms() / 1000);
    if (step < 0) throw ApiError::bad_request("invalid_code", "Mã không đúng / Wrong code", "code");
    c.q("UPDATE accounts SET totp_enabled = 1, totp_last_step = ?, updated_at = ? WHERE id = ?", step, timeutil::now_iso(),
        p.account_id);
    audit(c, a, "account.totp_enable", load(c, p.account_id), {});
  });
}

void Service::totp_disable(const http::Principal& p, const std::string& password, const Actor& a) {
  auto hash = db_.read([&](db::Conn& c) { return c.q("SELECT password_hash FROM accounts WHERE id = ?", p.account_id).one().str(0); });
  if (!crypto::verify_password(hash, password))
    throw ApiError::bad_request("invalid_credentials", "Mật khẩu không đúng / Wrong password", "password");
  write([&](db::Conn& c) {
    c.q("UPDATE accounts SET totp_enabled = 0, totp_secret = NULL, updated_at = ? WHERE id = ?", timeutil::now_iso(), p.account_id);
    audit(c, a, "account.totp_disable", load(c, p.account_id), {});
  });
}

// ---- API keys --------------------------------------------------------------------------------------

std::pair<Service::ApiKey, std::string> Service::create_api_key(int64_t account_id, std::optional<int> overlap_hours,
                                                                const Actor& a) {
  int overlap = overlap_hours.value_or(opts_.api_key_overlap_hours);
  if (overlap < 0 || overlap > 24 * 90)
    throw ApiError::bad_request("invalid_value", "overlap_hours: 0–2160", "overlap_hours");
  std::string prefix = crypto::hex(crypto::random_bytes(4));
  std::string key = "ltk_" + prefix + "_" + crypto::random_token(32);
  int64_t now = timeutil::now_ms();
  ApiKey k = write([&](db::Conn& c) {
    Account t = load(c, account_id);
    if (a.principal) check_manage(*a.principal, t);
    // Rotation: keys still valid get an expiry at the end of the overlap.
    std::string until = timeutil::iso_utc(now + int64_t{overlap} * 3600000);
    c.q("UPDATE api_keys SET expires_at = ? WHERE account_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
        until, account_id, until);
    auto r = c.q("INSERT INTO api_keys (account_id, key_hash, prefix, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                 account_id, crypto::sha256_hex(key), prefix, timeutil::iso_utc(now));
    audit(c, a, "account.api_key_create", t, {{"key_id", r.one().i64(0)}, {"prefix", prefix}, {"overlap_hours", overlap}});
    return ApiKey{r.one().i64(0), prefix, timeutil::iso_utc(now), "", ""};
  });
  return {k, key};
}

void Service::install_api_key(int64_t account_id, const std::string& key, const Actor& a) {
  if (key.rfind("ltk_", 0) != 0 || key.size() < 24) throw std::invalid_argument("API keys start with ltk_ and are long");
  std::string prefix = key.substr(4, key.find('_', 4) - 4);
  write([&](db::Conn& c) {
    Account t = load(c, account_id);
    auto r = c.q("INSERT INTO api_keys (account_id, key_hash, prefix, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                 account_id, crypto::sha256_hex(key), prefix, timeutil::now_iso());
    audit(c, a, "account.api_key_create", t, {{"key_id", r.one().i64(0)}, {"prefix", prefix}});
  });
}

std::vector<Service::ApiKey> Service::list_api_keys(int64_t account_id) const {
  return db_.read([&](db::Conn& c) {
    std::vector<ApiKey> out;
    for (const auto& r : c.q("SELECT id, prefix, created_at, expires_at, revoked_at FROM api_keys WHERE account_id = ? ORDER BY id",
                             account_id)
                             .rows)
      out.push_back({r.i64(0), r.str(1), r.str(2), r.opt(3).value_or(""), r.opt(4).value_or("")});
    return out;
  });
}

void Service::revoke_api_key(int64_t account_id, int64_t key_id, const Actor& a) {
  write([&](db::Conn& c) {
    Account t = load(c, account_id);
    if (a.principal) check_manage(*a.principal, t);
    auto r = c.q("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL",
                 timeutil::now_iso(), key_id, account_id);
    if (r.affected == 0) throw ApiError::not_found("Không có khóa này / No such active key");
    audit(c, a, "account.api_key_revoke", t, {{"key_id", key_id}});
  });
}

boost::json::array Service::colleagues(const std::string& agency_code) const {
  auto rows = db_.read([&](db::Conn& c) {
    return c.q("SELECT id, display_name, role FROM accounts WHERE agency_code = ? AND status = 'active' AND kind = 'official'"
               " ORDER BY role, display_name",
               agency_code);
  });
  boost::json::array out;
  for (const auto& r : rows.rows) out.push_back({{"id", r.i64(0)}, {"display_name", r.str(1)}, {"role", r.str(2)}});
  return out;
}

}  // namespace lt::identity
