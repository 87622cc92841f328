#include "modules/units/units.hpp"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>

#include "platform/outbox/outbox.hpp"
#include "platform/util/csv.hpp"
#include "platform/util/error.hpp"
#include "platform/util/json.hpp"
#include "platform/util/text.hpp"
#include "platform/util/time.hpp"

namespace lt::units {

namespace bj = boost::json;

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

Unit to_unit(const UnitVersion& v) { return {v.code, v.level, v.name, v.type, v.parent_code, v.valid_from}; }

}  // namespace

bool valid_date(std::string_view d) { return d.size() == 10 && timeutil::parse_iso(d).has_value(); }

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
           std::vector<std::vector<db::Param>> rows;
           for (const auto& p : provinces)
             rows.push_back({p[0], "province", p[1], p[2], db::Param(db::Null{}), text::fold(p[1]), kReformDate});
           for (const auto& x : communes) rows.push_back({x[0], "commune", x[1], x[2], x[3], text::fold(x[1]), kReformDate});
           db::insert_rows(c, "units", {"code", "level", "name", "type", "parent_code", "name_folded", "valid_from"}, rows,
                           "ON CONFLICT (level, code, valid_from) DO NOTHING");
         }});
  add_history_migrations(m, dir);
  m.add({"units", 5, "agencies",
         "CREATE TABLE agencies (code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, unit_code TEXT NOT NULL,"
         " province_code TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'active', name_folded TEXT NOT NULL,"
         " created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
         "CREATE INDEX agencies_unit ON agencies (unit_code);",
         {}});
}

void Service::load() {
  auto g = std::make_shared<Gazetteer>();
  db_.read([&](db::Conn& c) {
    for (const auto& r : c.q("SELECT code, level, name, type, parent_code, valid_from, valid_to FROM units").rows)
      g->add({r.str(0), r.str(1), r.str(2), r.str(3), r.opt(4).value_or(""), r.str(5), r.opt(6).value_or("")});
    for (const auto& r : c.q("SELECT id, code, title, resolution, effective_date FROM unit_events ORDER BY effective_date, id").rows)
      g->add_event({r.i64(0), r.str(1), r.str(2), r.str(3), r.str(4)});
    for (const auto& r : c.q("SELECT event_id, change, old_level, old_code, new_level, new_code, note FROM unit_changes ORDER BY id").rows)
      g->add_change({r.i64(0), r.str(1), r.opt(2).value_or(""), r.opt(3).value_or(""), r.opt(4).value_or(""),
                     r.opt(5).value_or(""), r.opt(6).value_or("")});
  });
  g->finish();
  std::shared_ptr<const Gazetteer> shared = std::move(g);
  auto index = std::make_shared<const AddressIndex>(shared);
  std::unique_lock lk(mu_);
  map_ = std::move(shared);
  index_ = std::move(index);
}

std::shared_ptr<const AddressIndex> Service::addresses() const {
  std::shared_lock lk(mu_);
  return index_;
}

std::shared_ptr<const Gazetteer> Service::map() const {
  std::shared_lock lk(mu_);
  return map_;
}

std::optional<Unit> Service::get(std::string_view code) const {
  if (const UnitVersion* v = map()->find(code, today_vn())) return to_unit(*v);
  return std::nullopt;
}

std::vector<Unit> Service::provinces() const {
  std::vector<Unit> out;
  for (const auto* v : map()->valid_on(today_vn(), "province")) out.push_back(to_unit(*v));
  return out;
}

std::vector<Unit> Service::children(std::string_view code) const {
  std::vector<Unit> out;
  auto m = map();
  for (const auto* v : m->children(Gazetteer::level_of(code), code, today_vn())) out.push_back(to_unit(*v));
  return out;
}

std::string Service::province_of(std::string_view code) const {
  auto m = map();
  std::string day = today_vn();
  const UnitVersion* v = m->find(code, day);
  for (int depth = 0; v && depth < 4; ++depth) {
    if (v->level == "province") return v->code;
    v = m->find(v->parent_code, day);
  }
  return {};
}

bool Service::within(std::string_view unit, std::string_view scope) const {
  if (unit.empty() || scope.empty()) return false;
  if (unit == scope) return true;
  auto m = map();
  std::string day = today_vn();
  const UnitVersion* v = m->find(unit, day);
  for (int depth = 0; v && depth < 4 && !v->parent_code.empty(); ++depth) {
    if (v->parent_code == scope) return true;
    v = m->find(v->parent_code, day);
  }
  return false;
}

size_t Service::size() const { return map()->valid_on(today_vn()).size(); }

std::string as_of_param(const http::Request& req) {
  auto d = req.query_param("as_of");
  if (!d) return today_vn();
  if (!valid_date(*d))
    throw ApiError::bad_request("invalid_date", "as_of phải có dạng YYYY-MM-DD / as_of must be YYYY-MM-DD", "as_of");
  return *d;
}

bj::object unit_json(const UnitVersion& u) {
  return {{"code", u.code},
          {"name", u.name},
          {"level", u.level},
          {"type", u.type},
          {"parent_code", u.parent_code.empty() ? bj::value(nullptr) : bj::value(u.parent_code)},
          {"valid_from", u.valid_from == "0001-01-01" ? bj::value(nullptr) : bj::value(u.valid_from)},
          {"valid_to", u.valid_to.empty() ? bj::value(nullptr) : bj::value(u.valid_to)}};
}

// ---- event import --------------------------------------------------------------------------------

bool Service::has_event(const std::string& code) const {
  for (const auto& e : map()->events())
    if (e.code == code) return true;
  return false;
}

int64_t Service::import_event(const bj::object& doc, const std::string& actor, const std::string& request_id) {
  json::Reader rd(doc);
  std::string code = rd.str("code", 100);
  std::string title = rd.str("title", 500);
  std::string resolution = rd.str("resolution", 500);
  std::string date = rd.str("effective_date", 10);
  if (!valid_date(date))
    throw ApiError::bad_request("invalid_date", "effective_date phải có dạng YYYY-MM-DD / effective_date must be YYYY-MM-DD", "effective_date");
  auto it = doc.find("changes");
  if (it == doc.end() || !it->value().is_array() || it->value().as_array().empty())
    throw ApiError::bad_request("missing_field", "Cần danh sách thay đổi / changes must be a non-empty array", "changes");
  // `changes` is read below; every other key must be known.
  std::set<std::string> known = {"code", "title", "resolution", "effective_date", "changes", "source"};
  for (const auto& kv : doc)
    if (!known.contains(std::string(kv.key())))
      throw ApiError::bad_request("unknown_field", "Trường không được hỗ trợ / Unknown field", std::string(kv.key()));
  std::string source = doc.contains("source") && doc.at("source").is_string() ? std::string(doc.at("source").as_string()) : "import";

  auto m = map();
  std::string day_before = timeutil::iso_utc(*timeutil::parse_iso(date) - 86400000).substr(0, 10);
  static const std::set<std::string> kChanges = {"merged", "split", "renamed", "retyped", "established", "abolished", "unchanged"};
  static const std::set<std::string> kLevels = {"province", "commune"};

  struct Planned {
    std::string change, level, code, name, type, parent;
    std::vector<std::string> from;  // codes of the same level that end on `date`
  };
  std::vector<Planned> plan;
  const auto& arr = it->value().as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string field = "changes[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) throw ApiError::bad_request("invalid_type", "Mỗi thay đổi là một đối tượng / Each change is an object", field);
    const auto& o = arr[i].as_object();
    json::Reader cr(o);
    Planned p;
    p.change = cr.str("change", 20);
    p.level = cr.opt_str("level", 20).value_or("commune");
    p.code = cr.str("code", 10);
    auto name = cr.opt_str("name", 200);
    auto type = cr.opt_str("type", 100);
    auto parent = cr.opt_str("parent_code", 10);
    if (o.contains("from")) {
      if (!o.at("from").is_array()) throw ApiError::bad_request("invalid_type", "from là danh sách mã / from is a list of codes", field + ".from");
      for (const auto& f : o.at("from").as_array()) {
        if (!f.is_string()) throw ApiError::bad_request("invalid_type", "from là danh sách mã / from is a list of codes", field + ".from");
        p.from.emplace_back(f.as_string());
      }
    }
    for (const auto& kv : o)
      if (kv.key() != "from" && kv.key() != "change" && kv.key() != "level" && kv.key() != "code" && kv.key() != "name" &&
          kv.key() != "type" && kv.key() != "parent_code")
        throw ApiError::bad_request("unknown_field", "Trường không được hỗ trợ / Unknown field", field + "." + std::string(kv.key()));
    if (!kChanges.contains(p.change))
      throw ApiError::bad_request("invalid_value", "change: merged|split|renamed|retyped|established|abolished|unchanged", field + ".change");
    if (!kLevels.contains(p.level)) throw ApiError::bad_request("invalid_value", "level: province|commune", field + ".level");
    if (Gazetteer::level_of(p.code) != p.level)
      throw ApiError::bad_request("invalid_code", "Mã không đúng độ dài của cấp / Code length does not fit the level", field + ".code");
    const UnitVersion* cur = m->find(p.level, p.code, day_before);
    if (p.from.empty() && p.change != "established") p.from.push_back(p.code);
    for (const auto& f : p.from)
      if (!m->find(p.level, f, day_before))
        throw ApiError::bad_request("unknown_unit", "Đơn vị " + f + " không tồn tại trước ngày hiệu lực / Unit " + f +
                                                        " does not exist before the effective date", field + ".from");
    if (p.change == "established" && cur)
      throw ApiError::bad_request("unit_exists", "Mã đã được dùng / Code already in use", field + ".code");
    p.type = type.value_or(cur ? cur->type : "");
    p.parent = parent.value_or(cur ? cur->parent_code : "");
    if (name) {
      p.name = *name;
    } else if (cur) {
      // "Xã Lộc Ninh" retyped as Phường → "Phường Lộc Ninh".
      p.name = cur->name;
      if (!cur->type.empty() && p.name.rfind(cur->type + " ", 0) == 0 && !p.type.empty())
        p.name = p.type + p.name.substr(cur->type.size());
    }
    if (p.change != "abolished") {
      if (p.name.empty() || p.type.empty())
        throw ApiError::bad_request("missing_field", "Cần tên và loại đơn vị / name and type are required", field + ".name");
      if (p.level == "commune" && !m->find("province", p.parent, date))
        throw ApiError::bad_request("unknown_unit", "Tỉnh cấp trên không tồn tại / Parent province unknown on that date", field + ".parent_code");
    }
    plan.push_back(std::move(p));
  }

  int64_t event_id = db_.write([&](db::Conn& c) {
    if (!c.q("SELECT 1 FROM unit_events WHERE code = ?", code).empty())
      throw ApiError::conflict("event_exists", "Sự kiện đã được nhập / Event already imported", "code");
    int64_t id = c.q("INSERT INTO unit_events (code, title, resolution, effective_date, imported_at, source)"
                     " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                     code, title, resolution, date, timeutil::now_iso(), source)
                     .one()
                     .i64(0);
    std::set<std::string> ended;
    for (const auto& p : plan) {
      for (const auto& f : p.from) {
        if (ended.insert(p.level + f).second)
          c.q("UPDATE units SET valid_to = ? WHERE level = ? AND code = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)",
              date, p.level, f, day_before, day_before);
        c.q("INSERT INTO unit_changes (event_id, change, old_level, old_code, new_level, new_code, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
            id, p.change, p.level, f, p.change == "abolished" ? db::Param(db::Null{}) : db::Param(p.level),
            p.change == "abolished" ? db::Param(db::Null{}) : db::Param(p.code), db::Param(db::Null{}));
      }
      if (p.from.empty())
        c.q("INSERT INTO unit_changes (event_id, change, old_level, old_code, new_level, new_code, note) VALUES (?, ?, NULL, NULL, ?, ?, NULL)",
            id, p.change, p.level, p.code);
      if (p.change != "abolished")
        c.q("INSERT INTO units (code, level, name, type, parent_code, name_folded, valid_from) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (level, code, valid_from) DO UPDATE SET name = excluded.name, type = excluded.type,"
            " parent_code = excluded.parent_code, name_folded = excluded.name_folded",
            p.code, p.level, p.name, p.type, p.parent.empty() ? db::Param(db::Null{}) : db::Param(p.parent), text::fold(p.name), date);
    }
    audit_.append(c, {actor, "units.import_event", "unit_event", std::to_string(id), "", request_id,
                      bj::serialize(bj::object{{"code", code}, {"effective_date", date}, {"changes", plan.size()}})});
    outbox::Outbox::publish(c, "units.event_imported", code,
                            bj::serialize(bj::object{{"event_id", id}, {"code", code}, {"effective_date", date}}));
    return id;
  });
  load();
  return event_id;
}

// ---- routes --------------------------------------------------------------------------------------

namespace {
bj::object list_json(const std::vector<const UnitVersion*>& v, const std::string& as_of) {
  bj::array a;
  for (const auto* u : v) a.push_back(unit_json(*u));
  return {{"items", std::move(a)}, {"total", v.size()}, {"as_of", as_of}};
}

bj::array changes_json(const Gazetteer& g, const std::vector<const Change*>& cs) {
  bj::array a;
  for (const auto* c : cs) {
    const Event* e = g.event(c->event_id);
    a.push_back({{"change", c->change},
                 {"old_level", c->old_level.empty() ? bj::value(nullptr) : bj::value(c->old_level)},
                 {"old_code", c->old_code.empty() ? bj::value(nullptr) : bj::value(c->old_code)},
                 {"new_level", c->new_level.empty() ? bj::value(nullptr) : bj::value(c->new_level)},
                 {"new_code", c->new_code.empty() ? bj::value(nullptr) : bj::value(c->new_code)},
                 {"note", c->note.empty() ? bj::value(nullptr) : bj::value(c->note)},
                 {"event", e ? bj::value(e->code) : bj::value(nullptr)},
                 {"effective_date", e ? bj::value(e->effective_date) : bj::value(nullptr)}});
  }
  return a;
}

const UnitVersion* find_or_404(const Gazetteer& g, const std::string& code, const std::string& as_of) {
  const UnitVersion* u = g.find(code, as_of);
  if (!u) throw ApiError::not_found("Không có đơn vị hành chính mã này vào ngày " + as_of + " / No unit with this code on " + as_of);
  return u;
}
}  // namespace

void Service::add_routes(http::Router& r) {
  const std::string pub(http::kPublic);
  r.add({"GET", "/api/v1/units", pub, "Units valid on as_of (level=province|district|commune, parent=CODE)",
         [this](http::Request& req) {
           std::string as_of = as_of_param(req);
           auto level = req.query_param("level").value_or("province");
           if (level != "province" && level != "district" && level != "commune")
             throw ApiError::bad_request("invalid_value", "level phải là province, district hoặc commune / level must be province, district or commune", "level");
           auto m = map();
           if (auto parent = req.query_param("parent")) {
             find_or_404(*m, *parent, as_of);
             return http::Response::json(list_json(m->children(Gazetteer::level_of(*parent), *parent, as_of), as_of));
           }
           return http::Response::json(list_json(m->valid_on(as_of, level), as_of));
         }});
  r.add({"GET", "/api/v1/units/{code}", pub, "One unit on as_of, with what it was formed from and what it became",
         [this](http::Request& req) {
           std::string as_of = as_of_param(req);
           auto m = map();
           const UnitVersion* u = find_or_404(*m, req.param("code"), as_of);
           auto o = unit_json(*u);
           // Only the changes of this version: those of the event that began it and of the one that ended it.
           auto at = [&](std::vector<const Change*> cs, const std::string& date) {
             std::erase_if(cs, [&](const Change* c) {
               const Event* e = m->event(c->event_id);
               return !e || e->effective_date != date;
             });
             return cs;
           };
           o["formed_from"] = changes_json(*m, at(m->formed_from(u->level, u->code), u->valid_from));
           o["became"] = changes_json(*m, at(m->became(u->level, u->code), u->valid_to));
           return http::Response::json({{"unit", std::move(o)}, {"as_of", as_of}});
         }});
  r.add({"GET", "/api/v1/units/{code}/children", pub, "Units directly under a unit on as_of", [this](http::Request& req) {
           std::string as_of = as_of_param(req);
           auto m = map();
           const UnitVersion* u = find_or_404(*m, req.param("code"), as_of);
           return http::Response::json(list_json(m->children(u->level, u->code, as_of), as_of));
         }});
  r.add({"GET", "/api/v1/units/{code}/history", pub, "Every version of the unit(s) with this code, and their changes",
         [this](http::Request& req) {
           auto m = map();
           const std::string& code = req.param("code");
           std::string level = Gazetteer::level_of(code);
           auto versions = m->versions(level, code);
           if (versions.empty()) throw ApiError::not_found("Không có đơn vị hành chính mã này / No unit with this code");
           bj::array vs;
           for (const auto* v : versions) vs.push_back(unit_json(*v));
           return http::Response::json({{"code", code},
                                        {"level", level},
                                        {"versions", std::move(vs)},
                                        {"formed_from", changes_json(*m, m->formed_from(level, code))},
                                        {"became", changes_json(*m, m->became(level, code))}});
         }});
  r.add({"GET", "/api/v1/unit-events", pub, "Reorganisation events, oldest first", [this](http::Request&) {
           bj::array a;
           for (const auto& e : map()->events())
             a.push_back({{"id", e.id}, {"code", e.code}, {"title", e.title}, {"resolution", e.resolution},
                          {"effective_date", e.effective_date}});
           return http::Response::json({{"items", std::move(a)}});
         }});
  r.add({"POST", "/api/v1/unit-events", "units.import", "Import a reorganisation event (docs/UNITS.md)",
         [this](http::Request& req) {
           auto body = json::parse_object(req.body);
           int64_t id = import_event(body, req.who().actor(), req.request_id);
           return http::Response::json({{"id", id}}, 201);
         }});
}

}  // namespace lt::units
