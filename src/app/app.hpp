#pragma once
// Wiring: configuration → database → migrations → keys → modules → routes. Used by every CLI
// subcommand, so `serve`, `migrate`, `admin create`, `audit verify`, `backup` and `restore` all work
// on the same database.
#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>

#include "modules/audit/audit.hpp"
#include "modules/catalog/catalog.hpp"
#include "modules/dossiers/dossiers.hpp"
#include "modules/exchange/events.hpp"
#include "modules/exchange/exchange.hpp"
#include "modules/identity/identity.hpp"
#include "modules/registry/documents.hpp"
#include "modules/registry/registry.hpp"
#include "platform/files/blob_store.hpp"
#include "modules/units/units.hpp"
#include "platform/calendar/store.hpp"
#include "platform/config/config.hpp"
#include "platform/crypto/keyring.hpp"
#include "platform/db/db.hpp"
#include "platform/http/router.hpp"
#include "platform/metrics/metrics.hpp"
#include "platform/outbox/outbox.hpp"

namespace lt::app {

class App {
 public:
  explicit App(config::Config cfg);
  ~App();
  // Opens the database and applies pending migrations (they run at every start).
  void open();
  void add_routes();
  // Logs a warning for this year and next year when their official schedule is missing.
  void warn_missing_schedules() const;
  // Seeds the demo province's accounts (idempotent). Fixed passwords: see README.
  void seed_demo();

  config::Config cfg;
  std::unique_ptr<db::Database> db;
  db::Migrator migrator;
  std::unique_ptr<crypto::KeyRing> keys;
  std::unique_ptr<units::Service> units;
  std::unique_ptr<audit::Log> audit;
  std::unique_ptr<identity::Service> identity;
  std::unique_ptr<registry::Service> registry;
  std::unique_ptr<files::BlobStore> blobs;  // content-addressed files (personal data store)
  std::unique_ptr<registry::Documents> documents;
  std::unique_ptr<outbox::Outbox> outbox;
  std::unique_ptr<calendar::Store> calendar;  // working-time calendar (official schedules)
  std::unique_ptr<catalog::Service> catalog;  // procedure catalogue
  std::unique_ptr<dossiers::Service> dossiers;
  std::unique_ptr<exchange::Service> exchange;  // data exchange gateway
  std::unique_ptr<exchange::Events> events;     // event topics, subscriptions, delivery
  metrics::Registry metrics;
  http::Router router;

 private:
  void add_platform_routes();
  void add_calendar_routes();  // calendar_routes.cpp

 public:
  // GET /api/v1/calendar/{year}: the year's days, whether they are official, the office hours.
  boost::json::object calendar_year_json(int year) const;
  // GET /api/v1/calendar/due and `lienthong calendar due`: {from, receipt_day, due, status, warning?};
  // exactly one of days/hours. Throws ApiError (400) naming the bad field.
  boost::json::object calendar_due_json(const std::string& from, std::optional<std::string> days, std::optional<std::string> hours) const;
};

// Office hours from the configuration ("08:00-12:00,13:00-17:00", cut-off "15:00").
calendar::OfficeHours office_hours(const config::Config& cfg);

inline constexpr const char* kDemoPassword = "Demo@2025";
inline constexpr const char* kDemoApiKey = "ltk_demo0000_hethong-mot-cua-dien-tu-thu-nghiem";

}  // namespace lt::app
