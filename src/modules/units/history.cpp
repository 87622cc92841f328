// Migrations that load the map before the 2025 reform and the reform itself as the first event,
// from the statistics office's data in data/admin-units (see data/README.md).
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include "modules/units/units.hpp"
#include "platform/util/csv.hpp"
#include "platform/util/text.hpp"
#include "platform/util/time.hpp"

namespace lt::units {

namespace {

std::vector<std::map<std::string, std::string>> read_table(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path + " (set units_dir)");
  csv::Reader r(in);
  std::vector<std::string> header, row;
  if (!r.next(header)) throw std::runtime_error(path + ": empty");
  std::vector<std::map<std::string, std::string>> out;
  while (r.next(row)) {
    if (r.error() || row.size() != header.size()) throw std::runtime_error(path + ": bad row at line " + std::to_string(r.line()));
    std::map<std::string, std::string> m;
    for (size_t i = 0; i < header.size(); ++i) m[header[i]] = text::nfc(row[i]);
    out.push_back(std::move(m));
  }
  return out;
}

// The unit type is the name's leading word(s).
std::string type_of(const std::string& name, const std::string& level) {
  static const std::vector<std::string> kTypes = {"Thành phố", "Thị xã", "Thị trấn", "Tỉnh", "Quận", "Huyện", "Xã", "Phường", "Đặc khu"};
  for (const auto& t : kTypes)
    if (name.rfind(t + " ", 0) == 0) return (level == "province" && t == "Thành phố") ? "Thành phố trực thuộc trung ương" : t;
  return "";
}

std::string change_of(const std::string& merge_type) {
  std::string f = text::fold(merge_type);
  if (f.rfind("nhap mot phan", 0) == 0 || f.rfind("nhap mot phan", 0) == 0) return "split";
  if (f.rfind("nhap toan bo", 0) == 0 || f.rfind("sap xep toan bo", 0) == 0) return "merged";
  if (f == "giu nguyen") return "unchanged";
  if (f == "doi ten") return "renamed";
  if (f == "doi loai hinh") return "retyped";
  return f.find("mot phan") != std::string::npos ? "split" : "merged";
}

constexpr const char* kBefore = "0001-01-01";
constexpr const char* kReform = "2025-07-01";

}  // namespace

void add_history_migrations(db::Migrator& m, const std::string& dir) {
  m.add({"units", 3, "reorganisation events and changes",
         "CREATE TABLE unit_events (id {{id}}, code TEXT NOT NULL UNIQUE, title TEXT NOT NULL,"
         " resolution TEXT NOT NULL, effective_date TEXT NOT NULL, imported_at TEXT NOT NULL, source TEXT NOT NULL);"
         "CREATE TABLE unit_changes (id {{id}}, event_id BIGINT NOT NULL REFERENCES unit_events (id),"
         " change TEXT NOT NULL, old_level TEXT, old_code TEXT, new_level TEXT, new_code TEXT, note TEXT);"
         "CREATE INDEX unit_changes_event ON unit_changes (event_id);",
         {}});
  m.add({"units", 4, "load the map before 1 July 2025 (63 provinces, 696 districts, 10,035 communes) and the 2025 reform",
         "", [dir](db::Conn& c) {
           namespace fs = std::filesystem;
           auto old_units = read_table((fs::path(dir) / "old_units_pre2025.csv").string());
           auto mapping = read_table((fs::path(dir) / "old_to_new_communes.csv").string());
           auto provinces = read_table((fs::path(dir) / "old_to_new_provinces.csv").string());
           // The old map: every unit valid until the reform.
           std::vector<std::vector<db::Param>> rows;
           std::set<std::string> seen;
           auto add = [&](const std::string& level, const std::string& code, const std::string& name, const std::string& parent) {
             if (code.empty() || !seen.insert(level + code).second) return;
             rows.push_back({code, level, name, type_of(name, level), parent.empty() ? db::Param(db::Null{}) : db::Param(parent),
                             text::fold(name), kBefore, kReform});
           };
           for (const auto& u : old_units) {
             add("province", u.at("province_code"), u.at("province_name"), "");
             add("district", u.at("district_code"), u.at("district_name"), u.at("province_code"));
             add("commune", u.at("commune_code"), u.at("commune_name"), u.at("district_code"));
           }
           db::insert_rows(c, "units", {"code", "level", "name", "type", "parent_code", "name_folded", "valid_from", "valid_to"},
                           rows, "ON CONFLICT (level, code, valid_from) DO NOTHING");
           // The reform as an event; its changes link every old unit to what it became.
           auto ev = c.q("INSERT INTO unit_events (code, title, resolution, effective_date, imported_at, source)"
                         " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                         "2025-reform", "Sắp xếp đơn vị hành chính, tổ chức chính quyền địa phương hai cấp",
                         "Nghị quyết 202/2025/QH15 (cấp tỉnh); 34 nghị quyết của UBTVQH15 (cấp xã)", kReform,
                         timeutil::now_iso(), "data/admin-units (NSO conversion table)");
           int64_t event_id = ev.one().i64(0);
           std::vector<std::vector<db::Param>> changes;
           std::map<std::string, int> olds_per_new_province;
           for (const auto& p : provinces) olds_per_new_province[p.at("new_province_code")]++;
           for (const auto& p : provinces) {
             bool same = olds_per_new_province[p.at("new_province_code")] == 1;
             changes.push_back({event_id, same ? "unchanged" : "merged", "province", p.at("old_province_code"), "province",
                                p.at("new_province_code"), db::Param(db::Null{})});
           }
           std::set<std::string> districts;
           for (const auto& u : old_units) districts.insert(u.at("district_code"));
           std::set<std::string> district_rows;  // districts that became a unit themselves (đặc khu)
           for (const auto& r : mapping) {
             std::string old_level = "commune", old_code = r.at("old_commune_code");
             if (old_code.empty()) {
               if (r.at("old_commune_name_in_nso").empty()) {
                 old_level = "district";
                 old_code = r.at("old_district_code");
                 district_rows.insert(old_code);
               } else {
                 old_level = "area";  // an area without a commune code (noted in the change)
               }
             }
             std::string note = r.at("merge_type");
             if (old_level == "area") note += " — " + r.at("old_commune_name_in_nso");
             changes.push_back({event_id, change_of(r.at("merge_type")), old_level,
                                old_code.empty() ? db::Param(db::Null{}) : db::Param(old_code), "commune",
                                r.at("new_commune_code"), note});
           }
           for (const auto& d : districts)
             if (!district_rows.contains(d))
               changes.push_back({event_id, "abolished", "district", d, db::Param(db::Null{}), db::Param(db::Null{}),
                                  "Cấp huyện chấm dứt hoạt động / district level abolished"});
           db::insert_rows(c, "unit_changes", {"event_id", "change", "old_level", "old_code", "new_level", "new_code", "note"},
                           changes);
         }});
}

}  // namespace lt::units
