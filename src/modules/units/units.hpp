#pragma once
// Administrative units over time: the map before the 2025 reform (63 provinces, 696 districts,
// 10,035 communes), the reform as the first event (34 provinces, 3,321 communes from 1 July 2025),
// and later events imported by administrators. Every query takes an `as_of` date.
// Identity uses it for scopes (within, province_of) on today's map.
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "modules/audit/audit.hpp"
#include "modules/units/address.hpp"
#include "modules/units/gazetteer.hpp"
#include "platform/db/db.hpp"
#include "platform/http/router.hpp"

namespace lt::units {

// Kept for identity: a unit as it is today.
struct Unit {
  std::string code, level, name, type, parent_code, valid_from;
};

void add_history_migrations(db::Migrator& m, const std::string& units_dir);

class Service {
 public:
  Service(db::Database& db, audit::Log& audit) : db_(db), audit_(audit) {}
  static void add_migrations(db::Migrator& m, const std::string& units_dir);
  // (Re)builds the in-memory map from the database; call after migrations and after imports.
  void load();
  std::shared_ptr<const Gazetteer> map() const;
  // Search and address conversion over the same map (rebuilt with it).
  std::shared_ptr<const AddressIndex> addresses() const;

  // Today's map (for scopes).
  std::optional<Unit> get(std::string_view code) const;
  std::vector<Unit> provinces() const;
  std::vector<Unit> children(std::string_view code) const;
  std::string province_of(std::string_view code) const;
  bool within(std::string_view unit, std::string_view scope) const;
  size_t size() const;

  // Imports a reorganisation event (format: docs/UNITS.md) in one transaction with its audit record
  // and a `units.event_imported` outbox event; returns the event id. Throws ApiError on bad input.
  bool has_event(const std::string& code) const;
  int64_t import_event(const boost::json::object& doc, const std::string& actor, const std::string& request_id);

  // Agencies: each unit's People's Committee, public-administrative service centre and provincial
  // departments, with their national identification codes (e.g. "000.00.01.H22").
  struct Agency {
    std::string code, name, kind, unit_code, province_code, status, created_at;
  };
  std::optional<Agency> agency(std::string_view code) const;
  std::vector<Agency> agencies(const std::string& unit, const std::string& province, const std::string& q) const;
  // `scope_unit`: the caller's unit (empty: no limit, system-admin). Throws ApiError.
  Agency create_agency(const Agency& a, const std::string& scope_unit, const std::string& actor, const std::string& request_id);
  Agency update_agency(const std::string& code, const boost::json::object& changes, const std::string& scope_unit,
                       const std::string& actor, const std::string& request_id);
  static bool valid_agency_code(std::string_view code);

  void add_routes(http::Router& r);

 private:
  db::Database& db_;
  audit::Log& audit_;
  mutable std::shared_mutex mu_;
  std::shared_ptr<const Gazetteer> map_;
  std::shared_ptr<const AddressIndex> index_;
};

// Search and address conversion routes (address_routes.cpp).
void add_address_routes(http::Router& r, Service& s);
void add_agency_routes(http::Router& r, Service& s);

boost::json::object unit_json(const UnitVersion& u);
// A real calendar date written YYYY-MM-DD.
bool valid_date(std::string_view d);
// Reads ?as_of=YYYY-MM-DD (default: today in Vietnam); 400 on a bad date.
std::string as_of_param(const http::Request& req);

}  // namespace lt::units
