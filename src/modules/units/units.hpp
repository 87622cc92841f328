#pragma once
// Administrative units (first cut): the current two-level map — 34 provinces and 3,321 communes —
// loaded from data/admin-units at migration time. Identity uses it for scopes. The "units" issue
// extends it with history, agencies, search and address conversion.
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "platform/db/db.hpp"
#include "platform/http/router.hpp"

namespace lt::units {

struct Unit {
  std::string code;           // "01" (province) or "00004" (commune)
  std::string level;          // "province" | "commune"
  std::string name;
  std::string type;           // "Tỉnh", "Thành phố trực thuộc trung ương", "Xã", "Phường", "Đặc khu"
  std::string parent_code;    // empty for provinces
  std::string valid_from;     // "2025-07-01"
};

class Service {
 public:
  explicit Service(db::Database& db) : db_(db) {}
  // `units_dir` holds provinces_2025.csv and communes_2025.csv.
  static void add_migrations(db::Migrator& m, const std::string& units_dir);
  // Loads the current map into memory (3,355 rows); call after migrations.
  void load();

  std::optional<Unit> get(std::string_view code) const;
  std::vector<Unit> provinces() const;
  std::vector<Unit> children(std::string_view code) const;
  // The province code of a unit ("01" for "00004"); empty if unknown.
  std::string province_of(std::string_view code) const;
  // True when `unit` is `scope` or lies under it.
  bool within(std::string_view unit, std::string_view scope) const;
  size_t size() const;

  void add_routes(http::Router& r);

 private:
  db::Database& db_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Unit, std::less<>> by_code_;
};

}  // namespace lt::units
