// Registry routes (docs/REGISTRY.md). Every read of a record is written to the personal-data access
// log in a durable commit before the answer leaves.
#include <boost/json.hpp>

#include <sstream>

#include "modules/registry/registry.hpp"
#include "platform/util/csv.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/time.hpp"

namespace lt::registry {

namespace bj = boost::json;

namespace {

constexpr size_t kMaxImportBytes = 64u << 20;

const RegistrySpec& spec_or_404(const std::string& name) {
  const RegistrySpec* s = spec(name);
  if (!s) throw ApiError::not_found("Không có sổ đăng ký này / No such registry (citizens, households, enterprises, parcels)");
  return *s;
}

// ?unit= of a report, limited to the caller's province (system admins: anywhere; default: theirs).
std::string scoped_unit(const http::Request& req, const units::Service& units) {
  std::string unit = req.query_param("unit").value_or("");
  const auto& p = req.who();
  if (p.role == "system-admin") return unit;
  std::string mine = units.province_of(p.unit_code);
  if (unit.empty()) unit = mine;
  if (units.province_of(unit) != mine) throw ApiError::forbidden("Đơn vị ngoài phạm vi / Unit outside your scope");
  return unit;
}

}  // namespace

// Officials below the system administrator see the records of their own province only.
void Service::check_scope(const http::Request& req, const bj::object& rec) const {
  const auto& p = req.who();
  if (p.role == "system-admin") return;
  std::string mine = units_.province_of(p.unit_code);
  std::string unit;
  if (auto* d = rec.at("data").as_object().if_contains("permanent_province_code")) unit = std::string(d->as_string());
  else if (auto* d2 = rec.at("data").as_object().if_contains("province_code")) unit = std::string(d2->as_string());
  else if (auto* d3 = rec.at("data").as_object().if_contains("commune_code")) unit = units_.province_of(std::string(d3->as_string()));
  if (mine.empty() || unit != mine) throw ApiError::forbidden("Bản ghi ngoài phạm vi quản lý của bạn / Record outside your scope");
}

AccessEntry Service::access_entry(const http::Request& req, const std::string& registry, const std::string& key, const std::string& fields,
                                  const std::string& purpose, const std::string& outcome) {
  const auto& p = req.who();
  return {timeutil::now_iso(), p.actor(), p.display_name, p.role, p.unit_code, registry, key, fields, purpose, outcome, req.request_id};
}

void Service::log_access(const http::Request& req, const std::string& registry, const std::string& key, const std::string& fields,
                         const std::string& purpose, const std::string& outcome) {
  access_log_->write(access_entry(req, registry, key, fields, purpose, outcome));
}

void Service::add_routes(http::Router& r) {
  r.add({"GET", "/api/v1/registries/{registry}/records/{key}", "registry.read",
         "One record (as_of=YYYY-MM-DD for a past state), with the source of each field; the read is access-logged",
         [this](http::Request& req) {
           const auto& sp = spec_or_404(req.param("registry"));
           std::string as_of = req.query_param("as_of").value_or("");
           if (!as_of.empty() && !units::valid_date(as_of))
             throw ApiError::bad_request("invalid_date", "as_of phải có dạng YYYY-MM-DD / as_of must be YYYY-MM-DD", "as_of");
           auto rec = get(sp.name, req.param("key"), as_of);
           if (!rec) throw ApiError::not_found("Không có bản ghi này / No such record");
           check_scope(req, *rec);
           log_access(req, sp.name, req.param("key"), "*", req.query_param("purpose").value_or("view"), "granted");
           return http::Response::json({{"record", std::move(*rec)}});
         }});
  r.add({"GET", "/api/v1/registries/{registry}/records/{key}/history", "registry.read", "Every version of a record, oldest first",
         [this](http::Request& req) {
           const auto& sp = spec_or_404(req.param("registry"));
           auto rec = get(sp.name, req.param("key"));
           if (!rec) throw ApiError::not_found("Không có bản ghi này / No such record");
           check_scope(req, *rec);
           log_access(req, sp.name, req.param("key"), "*", "history", "granted");
           return http::Response::json({{"items", history(sp.name, req.param("key"))}});
         }});
  r.add({"POST", "/api/v1/registries/{registry}/records", "registry.write",
         "Create or update one record (fields of the registry's template); rules apply", [this](http::Request& req) {
           const auto& sp = spec_or_404(req.param("registry"));
           auto body = json::parse_object(req.body);
           std::string scope = req.who().role == "system-admin" ? "" : units_.province_of(req.who().unit_code);
           if (req.who().role != "system-admin" && scope.empty()) throw ApiError::forbidden();
           auto rec = put(sp.name, body, "api:" + req.who().username, req.who().actor(), req.request_id, scope);
           return http::Response::json({{"record", std::move(rec)}});
         }});
  r.add({"DELETE", "/api/v1/registries/{registry}/records/{key}", "registry.write", "Soft-delete a record (its history stays)",
         [this](http::Request& req) {
           const auto& sp = spec_or_404(req.param("registry"));
           auto rec = get(sp.name, req.param("key"));
           if (!rec) throw ApiError::not_found("Không có bản ghi này / No such record");
           check_scope(req, *rec);
           remove(sp.name, req.param("key"), req.who().actor(), req.request_id);
           return http::Response::json({{"ok", true}});
         }});
  http::Route imp{"POST", "/api/v1/registries/{registry}/import", "registry.import",
                  "Bulk import (body: CSV with the template header, or JSON Lines with format=jsonl; up to 64 MiB)",
                  [this](http::Request& req) {
                    const auto& sp = spec_or_404(req.param("registry"));
                    ImportOptions o;
                    o.registry = sp.name;
                    o.format = req.query_param("format").value_or("csv");
                    o.source = req.query_param("source").value_or("api:" + req.who().username);
                    o.actor = req.who().actor();
                    if (req.who().role != "system-admin") o.scope_province = units_.province_of(req.who().unit_code);
                    if (req.who().role != "system-admin" && o.scope_province.empty()) throw ApiError::forbidden();
                    std::istringstream in(req.body);
                    std::ostringstream rejects;
                    auto sum = import(in, &rejects, o);
                    bj::object rules_out;
                    for (const auto& [rule, n] : sum.rules) rules_out[rule] = n;
                    return http::Response::json({{"summary",
                                                  {{"rows", sum.rows},
                                                   {"inserted", sum.inserted},
                                                   {"updated", sum.updated},
                                                   {"unchanged", sum.unchanged},
                                                   {"rejected", sum.rejected},
                                                   {"with_warnings", sum.with_warnings},
                                                   {"rules", std::move(rules_out)}}},
                                                 {"rejects_csv", std::move(rejects).str()}});
                  },
                  kMaxImportBytes};
  r.add(std::move(imp));
  r.add({"GET", "/api/v1/registries/{registry}/quality", "registry.quality",
         "Data-quality report per rule for a unit (unit=province or commune code); format=csv for a file",
         [this](http::Request& req) {
           const auto& sp = spec_or_404(req.param("registry"));
           std::string unit = scoped_unit(req, units_);
           if (!unit.empty() && !units_.get(unit)) throw ApiError::bad_request("unknown_unit", "Không có đơn vị này / Unknown unit", "unit");
           auto rep = quality(sp.name, unit);
           if (req.query_param("format").value_or("json") == "csv") {
             std::string out = "registry,unit,rule,count,rate,total\n";
             for (const auto& x : rep.at("rules").as_array()) {
               char rate[32];
               std::snprintf(rate, sizeof rate, "%.6f", x.at("rate").to_number<double>());
               out += csv::format_row({sp.name, unit, std::string(x.at("rule").as_string()), std::to_string(x.at("count").as_int64()), rate,
                                       std::to_string(rep.at("total").as_int64())}) +
                      "\n";
             }
             auto resp = http::Response::text(std::move(out), "text/csv; charset=utf-8");
             resp.set_header("Content-Disposition", "attachment; filename=\"quality-" + sp.name + ".csv\"");
             return resp;
           }
           return http::Response::json(rep);
         }});
  r.add({"GET", "/api/v1/registries/{registry}/quality/records", "registry.quality",
         "Drill-down: the keys of the records a rule flags (rule, unit, limit)", [this](http::Request& req) {
           const auto& sp = spec_or_404(req.param("registry"));
           auto rule = req.query_param("rule").value_or("");
           if (rule.empty()) throw ApiError::bad_request("missing_field", "Cần rule / rule is required", "rule");
           std::string unit = scoped_unit(req, units_);
           bj::array keys;
           for (const auto& k : quality_records(sp.name, unit, rule, 1000)) keys.push_back(bj::string(k));
           return http::Response::json({{"rule", rule}, {"unit", unit}, {"keys", std::move(keys)}});
         }});
  r.add({"GET", "/api/v1/me/data-access", std::string(http::kAuthenticated),
         "A verified citizen's own personal-data access log: who read which of their data, for what, when",
         [this](http::Request& req) {
           const auto& p = req.who();
           if (p.kind != "citizen" || !p.verified)
             throw ApiError::forbidden("Chỉ công dân đã xác thực / Only verified citizens");
           const std::string& subject = p.personal_id;
           bj::array items;
           db_.read([&](db::Conn& c) {
             for (const auto& row : c.q("SELECT at, reader_name, reader_role, reader_unit, registry, fields, purpose, outcome FROM pd_access_log"
                                        " WHERE registry = 'citizens' AND subject = ? ORDER BY id DESC LIMIT 500",
                                        subject)
                                        .rows)
               items.push_back({{"at", row.str(0)},
                                {"reader", row.str(1)},
                                {"role", row.str(2)},
                                {"unit", row.opt(3).value_or("")},
                                {"registry", row.str(4)},
                                {"fields", row.str(5)},
                                {"purpose", row.str(6)},
                                {"outcome", row.str(7)}});
           });
           return http::Response::json({{"items", std::move(items)}});
         }});
}

}  // namespace lt::registry
