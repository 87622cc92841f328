// Agencies of each unit, with their national identification codes.
#include <boost/json.hpp>
#include <regex>

#include "modules/units/units.hpp"
#include "platform/outbox/outbox.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/text.hpp"
#include "platform/util/time.hpp"

namespace lt::units {

namespace bj = boost::json;

namespace {
const std::vector<std::string> kKinds = {"people-committee", "service-centre", "department", "police", "other"};

Service::Agency agency_from(const db::Row& r) {
  return {r.str(0), r.str(1), r.str(2), r.str(3), r.str(4), r.str(5), r.str(6)};
}
constexpr const char* kCols = "code, name, kind, unit_code, province_code, status, created_at";

bj::object agency_json(const Service::Agency& a, const Service& s) {
  bj::object o{{"code", a.code}, {"name", a.name}, {"kind", a.kind}, {"unit_code", a.unit_code},
               {"province_code", a.province_code}, {"status", a.status}, {"created_at", a.created_at}};
  if (auto u = s.get(a.unit_code)) o["unit_name"] = u->name;
  return o;
}

void check_scope(const Service& s, const std::string& unit, const std::string& scope_unit) {
  if (scope_unit.empty()) return;
  std::string prov = s.province_of(scope_unit);
  if (prov.empty() || !s.within(unit, prov))
    throw ApiError::forbidden("Đơn vị nằm ngoài phạm vi quản lý của bạn / Unit outside your scope");
}
}  // namespace

bool Service::valid_agency_code(std::string_view code) {
  // Groups of 2–3 digits or capitals separated by dots, the last one a letter and digits:
  // "000.00.01.H22", "000.00.10.H26", "G01.15".
  static const std::regex re(R"(^[0-9A-Z]{2,3}(\.[0-9A-Z]{2,3}){1,4}$)");
  return code.size() <= 40 && std::regex_match(code.begin(), code.end(), re);
}

std::optional<Service::Agency> Service::agency(std::string_view code) const {
  auto r = db_.read([&](db::Conn& c) { return c.q(std::string("SELECT ") + kCols + " FROM agencies WHERE code = ?", std::string(code)); });
  if (r.empty()) return std::nullopt;
  return agency_from(r.one());
}

std::vector<Service::Agency> Service::agencies(const std::string& unit, const std::string& province, const std::string& q) const {
  std::string sql = std::string("SELECT ") + kCols + " FROM agencies WHERE 1 = 1";
  std::vector<db::Param> p;
  if (!unit.empty()) {
    sql += " AND unit_code = ?";
    p.emplace_back(unit);
  }
  if (!province.empty()) {
    sql += " AND province_code = ?";
    p.emplace_back(province);
  }
  if (!q.empty()) {
    sql += " AND (name_folded LIKE ? OR code LIKE ?)";
    p.emplace_back("%" + text::fold(q) + "%");
    p.emplace_back("%" + q + "%");
  }
  sql += " ORDER BY code LIMIT 1000";
  auto rows = db_.read([&](db::Conn& c) { return c.run(sql, p); });
  std::vector<Agency> out;
  for (const auto& r : rows.rows) out.push_back(agency_from(r));
  return out;
}

Service::Agency Service::create_agency(const Agency& in, const std::string& scope_unit, const std::string& actor,
                                       const std::string& request_id) {
  if (!valid_agency_code(in.code))
    throw ApiError::bad_request("invalid_agency_code", "Mã định danh cơ quan không hợp lệ (vd. 000.00.01.H22) / Invalid agency code", "code");
  if (std::find(kKinds.begin(), kKinds.end(), in.kind) == kKinds.end())
    throw ApiError::bad_request("invalid_value", "kind: people-committee|service-centre|department|police|other", "kind");
  if (!get(in.unit_code))
    throw ApiError::bad_request("unknown_unit", "Không có đơn vị hành chính mã này / Unknown unit code", "unit_code");
  check_scope(*this, in.unit_code, scope_unit);
  std::string now = timeutil::now_iso();
  return db_.write([&](db::Conn& c) {
    if (!c.q("SELECT 1 FROM agencies WHERE code = ?", in.code).empty())
      throw ApiError::conflict("agency_exists", "Mã cơ quan đã tồn tại / Agency code already exists", "code");
    c.q("INSERT INTO agencies (code, name, kind, unit_code, province_code, status, name_folded, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)",
        in.code, in.name, in.kind, in.unit_code, province_of(in.unit_code), text::fold(in.name), now, now);
    audit_.append(c, {actor, "agency.create", "agency", in.code, in.unit_code, request_id,
                      bj::serialize(bj::object{{"name", in.name}, {"kind", in.kind}, {"unit_code", in.unit_code}})});
    outbox::Outbox::publish(c, "agency.created", in.code, bj::serialize(bj::object{{"code", in.code}}));
    return agency_from(c.q(std::string("SELECT ") + kCols + " FROM agencies WHERE code = ?", in.code).one());
  });
}

Service::Agency Service::update_agency(const std::string& code, const bj::object& changes, const std::string& scope_unit,
                                       const std::string& actor, const std::string& request_id) {
  json::Reader rd(changes);
  auto name = rd.opt_str("name", 300);
  auto kind = rd.opt_str("kind", 40);
  auto status = rd.opt_str("status", 20);
  rd.done();
  if (kind && std::find(kKinds.begin(), kKinds.end(), *kind) == kKinds.end())
    throw ApiError::bad_request("invalid_value", "kind: people-committee|service-centre|department|police|other", "kind");
  if (status && *status != "active" && *status != "inactive")
    throw ApiError::bad_request("invalid_value", "status: active|inactive", "status");
  if (name && text::trim(*name).empty()) throw ApiError::bad_request("missing_field", "Tên không được để trống / name must not be empty", "name");
  return db_.write([&](db::Conn& c) {
    auto r = c.q(std::string("SELECT ") + kCols + " FROM agencies WHERE code = ?", code);
    if (r.empty()) throw ApiError::not_found("Không có cơ quan này / No such agency");
    Agency a = agency_from(r.one());
    check_scope(*this, a.unit_code, scope_unit);
    std::string now = timeutil::now_iso();
    bj::object detail;
    if (name) {
      c.q("UPDATE agencies SET name = ?, name_folded = ?, updated_at = ? WHERE code = ?", *name, text::fold(*name), now, code);
      detail["name"] = *name;
    }
    if (kind) {
      c.q("UPDATE agencies SET kind = ?, updated_at = ? WHERE code = ?", *kind, now, code);
      detail["kind"] = *kind;
    }
    if (status) {
      c.q("UPDATE agencies SET status = ?, updated_at = ? WHERE code = ?", *status, now, code);
      detail["status"] = *status;
    }
    audit_.append(c, {actor, "agency.update", "agency", code, a.unit_code, request_id, bj::serialize(detail)});
    outbox::Outbox::publish(c, "agency.updated", code, bj::serialize(bj::object{{"code", code}}));
    return agency_from(c.q(std::string("SELECT ") + kCols + " FROM agencies WHERE code = ?", code).one());
  });
}

void add_agency_routes(http::Router& r, Service& s) {
  r.add({"GET", "/api/v1/agencies", std::string(http::kPublic), "Agencies (unit, province, q)", [&s](http::Request& req) {
           bj::array a;
           for (const auto& x : s.agencies(req.query_param("unit").value_or(""), req.query_param("province").value_or(""),
                                           req.query_param("q").value_or("")))
             a.push_back(agency_json(x, s));
           return http::Response::json({{"items", std::move(a)}});
         }});
  r.add({"GET", "/api/v1/agencies/{code}", std::string(http::kPublic), "One agency", [&s](http::Request& req) {
           auto a = s.agency(req.param("code"));
           if (!a) throw ApiError::not_found("Không có cơ quan này / No such agency");
           return http::Response::json({{"agency", agency_json(*a, s)}});
         }});
  auto scope = [](const http::Request& req) {
    return req.who().role == "system-admin" ? std::string() : req.who().unit_code.empty() ? std::string("-") : req.who().unit_code;
  };
  r.add({"POST", "/api/v1/agencies", "units.manage", "Register an agency of a unit (province admins: in their province)",
         [&s, scope](http::Request& req) {
           auto body = json::parse_object(req.body);
           json::Reader rd(body);
           Service::Agency a;
           a.code = rd.str("code", 40);
           a.name = rd.str("name", 300);
           a.kind = rd.str("kind", 40);
           a.unit_code = rd.str("unit_code", 10);
           rd.done();
           auto created = s.create_agency(a, scope(req), req.who().actor(), req.request_id);
           return http::Response::json({{"agency", agency_json(created, s)}}, 201);
         }});
  r.add({"PATCH", "/api/v1/agencies/{code}", "units.manage", "Change an agency's name, kind or status",
         [&s, scope](http::Request& req) {
           auto body = json::parse_object(req.body);
           auto a = s.update_agency(req.param("code"), body, scope(req), req.who().actor(),
                                    req.request_id);
           return http::Response::json({{"agency", agency_json(a, s)}});
         }});
}

}  // namespace lt::units
