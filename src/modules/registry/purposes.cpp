// "Declare once": registered purposes, each allowing named attributes of a registry to named
// official roles (within their province) and to member systems granted the purpose. Every lookup,
// granted or refused, goes to the personal-data access log before the answer (docs/REGISTRY.md).
#include <boost/json.hpp>

#include <regex>

#include "modules/registry/registry.hpp"
#include "platform/outbox/outbox.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/time.hpp"

namespace lt::registry {

namespace bj = boost::json;

Service::~Service() = default;

void add_purpose_migrations(db::Migrator& m) {
  m.add({"registry", 3, "purposes and their grants",
         "CREATE TABLE registry_purposes (code TEXT PRIMARY KEY, name TEXT NOT NULL, registry TEXT NOT NULL,"
         " attributes TEXT NOT NULL, roles TEXT NOT NULL, legal_basis TEXT NOT NULL, status TEXT NOT NULL,"
         " created_at TEXT NOT NULL);"
         "CREATE TABLE registry_purpose_grants (purpose TEXT NOT NULL REFERENCES registry_purposes (code),"
         " account_id BIGINT NOT NULL, granted_at TEXT NOT NULL, granted_by TEXT NOT NULL, PRIMARY KEY (purpose, account_id));",
         {}});
}

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t c = s.find(',', start);
    std::string part = s.substr(start, c == std::string::npos ? std::string::npos : c - start);
    if (!part.empty()) out.push_back(part);
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : ",") + x;
  return out;
}

Service::Purpose purpose_from(const db::Row& r) {
  return {r.str(0), r.str(1), r.str(2), r.str(5), r.str(6), split(r.str(3)), split(r.str(4))};
}

constexpr const char* kCols = "code, name, registry, attributes, roles, legal_basis, status";

bj::object purpose_json(const Service::Purpose& p) {
  bj::array attrs, roles;
  for (const auto& a : p.attributes) attrs.push_back(bj::string(a));
  for (const auto& r : p.roles) roles.push_back(bj::string(r));
  return {{"code", p.code},         {"name", p.name},   {"registry", p.registry}, {"attributes", std::move(attrs)},
          {"roles", std::move(roles)}, {"legal_basis", p.legal_basis}, {"status", p.status}};
}

// Attributes a registry's records carry (after normalisation).
const std::set<std::string>& attributes_of(const std::string& registry) {
  static const std::map<std::string, std::set<std::string>> m = {
      {"citizens",
       {"id_number", "full_name", "birth_date", "sex", "ethnicity", "nationality", "permanent_address", "permanent_commune_code",
        "permanent_province_code", "permanent_street", "current_address", "current_commune_code", "current_province_code",
        "current_street", "household_id"}},
      {"households", {"household_id", "head_id", "address", "commune_code", "province_code", "street", "members"}},
      {"enterprises",
       {"enterprise_code", "name", "legal_representative_id", "address", "commune_code", "province_code", "street", "status",
        "registration_date"}},
      {"parcels", {"parcel_id", "commune_code", "map_sheet", "parcel_number", "area_m2", "land_use", "owners", "certificate_number"}},
  };
  static const std::set<std::string> none;
  auto it = m.find(registry);
  return it == m.end() ? none : it->second;
}

}  // namespace

void Service::forget_decisions() const {
  std::lock_guard lk(decisions_mu_);
  ++decisions_gen_;
  purpose_cache_.clear();
  grant_cache_.clear();
}

std::optional<Service::Purpose> Service::purpose(const std::string& code) const {
  auto now = std::chrono::steady_clock::now();
  uint64_t gen;
  {
    std::lock_guard lk(decisions_mu_);
    if (auto it = purpose_cache_.find(code); it != purpose_cache_.end() && now < it->second.second) return it->second.first;
    gen = decisions_gen_;
  }
  auto r = db_.read([&](db::Conn& c) { return c.q(std::string("SELECT ") + kCols + " FROM registry_purposes WHERE code = ?", code); });
  std::optional<Purpose> p;
  if (!r.empty()) p = purpose_from(r.one());
  std::lock_guard lk(decisions_mu_);
  if (gen == decisions_gen_ && purpose_cache_.size() < 10000)
    purpose_cache_[code] = {p, now + std::chrono::milliseconds(kDecisionCacheMs)};
  return p;
}

std::vector<Service::Purpose> Service::purposes() const {
  auto r = db_.read([&](db::Conn& c) { return c.q(std::string("SELECT ") + kCols + " FROM registry_purposes ORDER BY code"); });
  std::vector<Purpose> out;
  for (const auto& row : r.rows) out.push_back(purpose_from(row));
  return out;
}

Service::Purpose Service::create_purpose(const Purpose& p, const std::string& actor, const std::string& request_id) {
  static const std::regex code_re("^[a-z0-9][a-z0-9.-]{1,62}$");
  if (!std::regex_match(p.code, code_re))
    throw ApiError::bad_request("invalid_value", "Mã mục đích: chữ thường, số, '-' / Purpose code: lower-case letters, digits, '-'", "code");
  if (!spec(p.registry)) throw ApiError::bad_request("invalid_value", "registry: citizens|households|enterprises|parcels", "registry");
  if (p.attributes.empty()) throw ApiError::bad_request("missing_field", "Cần ít nhất một thuộc tính / At least one attribute", "attributes");
  for (const auto& a : p.attributes)
    if (!attributes_of(p.registry).contains(a))
      throw ApiError::bad_request("invalid_value", "Thuộc tính không có trong sổ: " + a + " / Unknown attribute: " + a, "attributes");
  static const std::set<std::string> kOfficialRoles = {"system-admin", "province-admin", "one-stop-officer", "specialist", "leader"};
  for (const auto& r : p.roles)
    if (!kOfficialRoles.contains(r)) throw ApiError::bad_request("invalid_role", "Vai trò không hợp lệ: " + r + " / Unknown role", "roles");
  return write_decision([&](db::Conn& c) {
    if (!c.q("SELECT 1 FROM registry_purposes WHERE code = ?", p.code).empty())
      throw ApiError::conflict("purpose_exists", "Mục đích đã tồn tại / Purpose already exists", "code");
    c.q("INSERT INTO registry_purposes (code, name, registry, attributes, roles, legal_basis, status, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 'active', ?)",
        p.code, p.name, p.registry, join(p.attributes), join(p.roles), p.legal_basis, timeutil::now_iso());
    audit_.append(c, {actor, "purpose.create", "purpose", p.code, "", request_id, bj::serialize(purpose_json(p))});
    outbox::Outbox::publish(c, "purpose.created", p.code, bj::serialize(bj::object{{"code", p.code}}));
    return purpose_from(c.q(std::string("SELECT ") + kCols + " FROM registry_purposes WHERE code = ?", p.code).one());
  });
}

void Service::grant(const std::string& purpose_code, int64_t account_id, bool on, const std::string& actor, const std::string& request_id) {
  if (!purpose(purpose_code)) throw ApiError::not_found("Không có mục đích này / No such purpose");
  write_decision([&](db::Conn& c) {
    if (on)
      c.q("INSERT INTO registry_purpose_grants (purpose, account_id, granted_at, granted_by) VALUES (?, ?, ?, ?)"
          " ON CONFLICT (purpose, account_id) DO NOTHING",
          purpose_code, account_id, timeutil::now_iso(), actor);
    else
      c.q("DELETE FROM registry_purpose_grants WHERE purpose = ? AND account_id = ?", purpose_code, account_id);
    audit_.append(c, {actor, on ? "purpose.grant" : "purpose.revoke", "purpose", purpose_code, "", request_id,
                      bj::serialize(bj::object{{"account_id", account_id}})});
    outbox::Outbox::publish(c, on ? "purpose.granted" : "purpose.revoked", purpose_code,
                            bj::serialize(bj::object{{"purpose", purpose_code}, {"account_id", account_id}}));
  });
}

bool Service::granted(const std::string& purpose_code, int64_t account_id) const {
  auto now = std::chrono::steady_clock::now();
  auto key = std::make_pair(purpose_code, account_id);
  uint64_t gen;
  {
    std::lock_guard lk(decisions_mu_);
    if (auto it = grant_cache_.find(key); it != grant_cache_.end() && now < it->second.second) return it->second.first;
    gen = decisions_gen_;
  }
  bool g = !db_.read([&](db::Conn& c) {
              return c.q("SELECT 1 FROM registry_purpose_grants WHERE purpose = ? AND account_id = ?", purpose_code, account_id);
            }).empty();
  std::lock_guard lk(decisions_mu_);
  if (gen == decisions_gen_ && grant_cache_.size() < 100000) grant_cache_[key] = {g, now + std::chrono::milliseconds(kDecisionCacheMs)};
  return g;
}

void Service::add_purpose_routes(http::Router& r) {
  r.add({"GET", "/api/v1/purposes", std::string(http::kAuthenticated), "Registered purposes and the attributes each allows",
         [this](http::Request&) {
           bj::array a;
           for (const auto& p : purposes()) a.push_back(purpose_json(p));
           return http::Response::json({{"items", std::move(a)}});
         }});
  r.add({"POST", "/api/v1/purposes", "registry.purposes", "Register a purpose {code, name, registry, attributes[], roles[], legal_basis}",
         [this](http::Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           Purpose p;
           p.code = rd.str("code", 64);
           p.name = rd.str("name", 300);
           p.registry = rd.str("registry", 20);
           p.legal_basis = rd.opt_str("legal_basis", 500).value_or("");
           auto list = [&](const char* k) {
             std::vector<std::string> v;
             auto it = body.find(k);
             if (it == body.end()) return v;
             if (!it->value().is_array()) throw ApiError::bad_request("invalid_type", std::string(k) + " là danh sách / is a list", k);
             for (const auto& x : it->value().as_array()) {
               if (!x.is_string()) throw ApiError::bad_request("invalid_type", std::string(k) + " là danh sách chuỗi / is a list of strings", k);
               v.emplace_back(x.as_string());
             }
             return v;
           };
           p.attributes = list("attributes");
           p.roles = list("roles");
           for (const auto& kv : body) {
             std::string k(kv.key());
             if (k != "code" && k != "name" && k != "registry" && k != "legal_basis" && k != "attributes" && k != "roles")
               throw ApiError::bad_request("unknown_field", "Trường không được hỗ trợ / Unknown field", k);
           }
           auto created = create_purpose(p, req.who().actor(), req.request_id);
           return http::Response::json({{"purpose", purpose_json(created)}}, 201);
         }});
  r.add({"POST", "/api/v1/purposes/{code}/grants", "registry.purposes", "Grant a purpose to a member-system account {account_id}",
         [this](http::Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           int64_t id = rd.i64("account_id");
           rd.done();
           grant(req.param("code"), id, true, req.who().actor(), req.request_id);
           return http::Response::json({{"ok", true}});
         }});
  r.add({"DELETE", "/api/v1/purposes/{code}/grants/{account_id}", "registry.purposes", "Revoke a purpose from an account",
         [this](http::Request& req) {
           int64_t id = 0;
           try {
             id = std::stoll(req.param("account_id"));
           } catch (const std::exception&) {
             throw ApiError::bad_request("invalid_value", "account_id là số / account_id is a number", "account_id");
           }
           grant(req.param("code"), id, false, req.who().actor(), req.request_id);
           return http::Response::json({{"ok", true}});
         }});

  // The declare-once read: exactly the attributes the purpose allows, with their provenance.
  r.add({"GET", "/api/v1/registries/{registry}/lookup/{key}", std::string(http::kAuthenticated),
         "Read a record for a registered purpose (purpose=CODE, optional fields=a,b): only the allowed attributes, access-logged",
         [this](http::Request& req) {
           const std::string& registry = req.param("registry");
           const std::string& key = req.param("key");
           if (!spec(registry)) throw ApiError::not_found("Không có sổ đăng ký này / No such registry");
           std::string code = req.query_param("purpose").value_or("");
           std::string wanted = req.query_param("fields").value_or("");
           // A refused read is logged too, then answered with the error.
           auto refused = [&](ApiError e) {
             log_access(req, registry, key, wanted.empty() ? "*" : wanted, code.empty() ? "-" : code, "refused:" + e.code());
             return e;
           };
           if (code.empty()) throw refused(ApiError::bad_request("missing_field", "Cần mục đích sử dụng / purpose is required", "purpose"));
           auto p = purpose(code);
           if (!p || p->status != "active" || p->registry != registry)
             throw refused(ApiError::forbidden("Mục đích chưa được đăng ký cho sổ này / Purpose not registered for this registry"));
           const auto& who = req.who();
           bool allowed = who.role == "member-system" ? granted(code, who.account_id)
                                                      : std::find(p->roles.begin(), p->roles.end(), who.role) != p->roles.end();
           if (!allowed) throw refused(ApiError::forbidden("Bạn không được cấp quyền cho mục đích này / Not allowed for this purpose"));
           std::vector<std::string> fields = wanted.empty() ? p->attributes : split(wanted);
           for (const auto& f : fields)
             if (std::find(p->attributes.begin(), p->attributes.end(), f) == p->attributes.end())
               throw refused(ApiError::forbidden("Mục đích không cho phép đọc " + f + " / The purpose does not allow " + f));
           auto rec = get(registry, key);
           if (!rec) throw refused(ApiError::not_found("Không có bản ghi này / No such record"));
           // Officials read within their province; member systems by their grant.
           if (who.role != "member-system" && who.role != "system-admin") {
             const auto& d = rec->at("data").as_object();
             std::string prov;
             for (const char* k : {"permanent_province_code", "province_code"})
               if (auto* v = d.if_contains(k)) prov = std::string(v->as_string());
             if (prov.empty()) prov = units_.province_of(std::string(d.contains("commune_code") ? d.at("commune_code").as_string() : ""));
             if (prov != units_.province_of(who.unit_code)) throw refused(ApiError::forbidden("Bản ghi ngoài phạm vi quản lý / Record outside your scope"));
           }
           bj::object attrs;
           const auto& data = rec->at("data").as_object();
           const auto& prov = rec->at("provenance").as_object();
           for (const auto& f : fields) {
             bj::object a{{"value", data.contains(f) ? data.at(f) : bj::value(nullptr)}};
             if (prov.contains(f)) {
               a["source"] = prov.at(f).at("source");
               a["at"] = prov.at(f).at("at");
             }
             attrs[f] = std::move(a);
           }
           log_access(req, registry, key, join(fields), code, "granted");
           return http::Response::json({{"registry", registry}, {"key", key}, {"purpose", code}, {"attributes", std::move(attrs)}});
         }});
}

}  // namespace lt::registry
