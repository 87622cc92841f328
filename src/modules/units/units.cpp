#include "modules/units/units.hpp"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include "platform/util/csv.hpp"
#include "platform/util/error.hpp"
#include "platform/util/text.hpp"

namespace lt::units {

namespace {
constexpr const char* kReformDate = "2025-07-01";

std::vector<std::vector<std::string>> read_csv(const std::string& path, const std::vector<std::string>& header) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path + " (set units_dir)");
  csv::Reader r(in);
  std::vector<std::string> row;
  if (!r.next(row) || row != header) throw std::runtime_error(path + ": unexpected header");
  std::vector<std::vector<std::string>> rows;
  while (r.next(row)) {
    if (r.error() || row.size() != header.size()) throw std::runtime_error(path + ": bad row at line " + std::to_string(r.line()));
    for (auto& f : row) f = text::nfc(f);
    rows.push_back(row);
  }
  return rows;
}
}  // namespace

void Service::add_migrations(db::Migrator& m, const std::string& dir) {
  m.add({"units", 1, "units",
         "CREATE TABLE units (code TEXT NOT NULL, level TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,"
         " parent_code TEXT, name_folded TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT,"
         " PRIMARY KEY (level, code, valid_from));"
         "CREATE INDEX units_parent ON units (parent_code);",
         {}});
  m.add({"units", 2, "load the 2025 map (34 provinces, 3,321 communes)", "", [dir](db::Conn& c) {
           namespace fs = std::filesystem;
           auto provinces = read_csv((fs::path(dir) / "provinces_2025.csv").string(),
                                     {"province_code", "province_name", "unit_type", "commune_count", "phuong_count",
                                      "xa_count", "dac_khu_count", "old_province_codes", "old_province_names"});
           auto communes = read_csv((fs::path(dir) / "communes_2025.csv").string(),
                                    {"commune_code", "commune_name", "unit_type", "province_code", "province_name"});
           const char* sql =
               "INSERT INTO units (code, level, name, type, parent_code, name_folded, valid_from) VALUES (?, ?, ?, ?, ?, ?, ?)"
               " ON CONFLICT (level, code, valid_from) DO NOTHING";
           for (const auto& p : provinces)
             c.q(sql, p[0], "province", p[1], p[2], nullptr, text::fold(p[1]), kReformDate);
           for (const auto& x : communes) c.q(sql, x[0], "commune", x[1], x[2], x[3], text::fold(x[1]), kReformDate);
         }});
}

void Service::load() {
  auto rows = db_.read([](db::Conn& c) {
    return c.q("SELECT code, level, name, type, parent_code, valid_from FROM units WHERE valid_to IS NULL");
  });
  std::map<std::string, Unit, std::less<>> m;
  for (const auto& r : rows.rows)
    m[r.str(0)] = Unit{r.str(0), r.str(1), r.str(2), r.str(3), r.opt(4).value_or(""), r.str(5)};
  std::unique_lock lk(mu_);
  by_code_ = std::move(m);
}

std::optional<Unit> Service::get(std::string_view code) const {
  std::shared_lock lk(mu_);
  auto it = by_code_.find(code);
  if (it == by_code_.end()) return std::nullopt;
  return it->second;
}

std::vector<Unit> Service::provinces() const {
  std::shared_lock lk(mu_);
  std::vector<Unit> out;
  for (const auto& [_, u] : by_code_)
    if (u.level == "province") out.push_back(u);
  return out;
}

std::vector<Unit> Service::children(std::string_view code) const {
  std::shared_lock lk(mu_);
  std::vector<Unit> out;
  for (const auto& [_, u] : by_code_)
    if (u.parent_code == code) out.push_back(u);
  return out;
}

std::string Service::province_of(std::string_view code) const {
  std::shared_lock lk(mu_);
  auto it = by_code_.find(code);
  if (it == by_code_.end()) return {};
  return it->second.level == "province" ? it->second.code : it->second.parent_code;
}

bool Service::within(std::string_view unit, std::string_view scope) const {
  if (unit.empty() || scope.empty()) return false;
  if (unit == scope) return true;
  std::shared_lock lk(mu_);
  for (int depth = 0; depth < 4; ++depth) {
    auto it = by_code_.find(unit);
    if (it == by_code_.end() || it->second.parent_code.empty()) return false;
    if (it->second.parent_code == scope) return true;
    unit = it->second.parent_code;
  }
  return false;
}

size_t Service::size() const {
  std::shared_lock lk(mu_);
  return by_code_.size();
}

namespace {
boost::json::object to_json(const Unit& u) {
  return {{"code", u.code},
          {"name", u.name},
          {"level", u.level},
          {"type", u.type},
          {"parent_code", u.parent_code.empty() ? boost::json::value(nullptr) : boost::json::value(u.parent_code)},
          {"valid_from", u.valid_from}};
}
boost::json::object list(const std::vector<Unit>& v) {
  boost::json::array a;
  for (const auto& u : v) a.push_back(to_json(u));
  return {{"items", std::move(a)}, {"total", v.size()}};
}
}  // namespace

void Service::add_routes(http::Router& r) {
  r.add({"GET", "/api/v1/units", std::string(http::kPublic), "List units (level=province|commune, parent=CODE)",
         [this](http::Request& req) {
           auto level = req.query_param("level").value_or("province");
           if (level != "province" && level != "commune")
             throw ApiError::bad_request("invalid_value", "level phải là province hoặc commune / level must be province or commune", "level");
           std::vector<Unit> out;
           if (auto parent = req.query_param("parent")) {
             out = children(*parent);
           } else if (level == "province") {
             out = provinces();
           } else {
             std::shared_lock lk(mu_);
             for (const auto& [_, u] : by_code_)
               if (u.level == "commune") out.push_back(u);
           }
           return http::Response::json(list(out));
         }});
  r.add({"GET", "/api/v1/units/{code}", std::string(http::kPublic), "One unit by code", [this](http::Request& req) {
           auto u = get(req.param("code"));
           if (!u) throw ApiError::not_found("Không có đơn vị hành chính mã này / No unit with this code");
           return http::Response::json({{"unit", to_json(*u)}});
         }});
  r.add({"GET", "/api/v1/units/{code}/children", std::string(http::kPublic), "Units directly under a unit",
         [this](http::Request& req) {
           if (!get(req.param("code"))) throw ApiError::not_found("Không có đơn vị hành chính mã này / No unit with this code");
           return http::Response::json(list(children(req.param("code"))));
         }});
}

}  // namespace lt::units
