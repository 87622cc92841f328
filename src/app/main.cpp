// lienthong: one binary, several subcommands, all on the same database.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/app.hpp"
#include "modules/registry/generate.hpp"
#include "platform/crypto/crypto.hpp"
#include "platform/http/server.hpp"
#include "platform/log/log.hpp"
#include "platform/util/error.hpp"
#include "platform/util/csv.hpp"
#include "platform/util/json.hpp"

using namespace lt;

namespace {

struct Common {
  std::string config_file;
  std::string db;
};

void add_common(CLI::App* sub, Common& c) {
  sub->add_option("--config", c.config_file, "TOML configuration file (default: $LIENTHONG_CONFIG or ./lienthong.toml)");
  sub->add_option("--db", c.db, "database: sqlite:PATH or postgresql://… (default: the configuration's)");
}

config::Config load_config(const Common& c) {
  config::Config cfg;
  std::string file = c.config_file;
  if (file.empty())
    if (const char* e = std::getenv("LIENTHONG_CONFIG")) file = e;
  if (file.empty() && std::filesystem::exists("lienthong.toml")) file = "lienthong.toml";
  if (!file.empty()) cfg.load_file(file);
  cfg.load_env();
  if (!c.db.empty()) cfg.db = c.db;
  cfg.resolve_paths(config::find_root());
  return cfg;
}

int serve(app::App& a, bool demo, const std::string& ready_file) {
  a.open();
  a.warn_missing_schedules();
  if (demo) a.seed_demo();
  a.add_routes();
  http::DispatchOptions dopts;
  dopts.default_body_limit = static_cast<size_t>(a.cfg.max_body_kib) * 1024;
  dopts.static_dir = a.cfg.web_dir;
  dopts.hsts = a.cfg.hsts;
  dopts.trust_proxy = a.cfg.trust_proxy;
  dopts.trust_client_cert = a.cfg.trust_proxy && a.cfg.trust_client_cert;
  dopts.access_log = a.cfg.access_log;
  http::Dispatcher dispatcher(a.router, a.metrics, dopts);
  dispatcher.set_authenticator(a.identity.get());
  http::ServerOptions sopts;
  sopts.address = a.cfg.address;
  sopts.port = static_cast<uint16_t>(a.cfg.port);
  sopts.io_threads = a.cfg.io_threads;
  sopts.worker_threads = a.cfg.worker_threads;
  sopts.header_timeout = std::chrono::milliseconds(a.cfg.header_timeout_ms);
  sopts.idle_timeout = std::chrono::milliseconds(a.cfg.idle_timeout_ms);
  http::Server server(sopts, dispatcher);
  uint16_t port = server.listen();
  a.outbox->start(1);
  a.events->start(1);
  spdlog::info("lienthong {} listening on http://{}:{} (database: {}, durability: {})", LT_VERSION, a.cfg.address, port,
               config::mask_url(a.cfg.db), a.db->backend() == db::Backend::sqlite ? "synchronous=" + a.cfg.sqlite_synchronous : "postgresql");
  if (!ready_file.empty()) {
    std::ofstream(ready_file + ".tmp") << port << "\n";
    std::filesystem::rename(ready_file + ".tmp", ready_file);
  }
  server.run();
  a.events->stop();
  a.outbox->stop();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace

void progress_bar(size_t rows, size_t bytes, uintmax_t total, std::chrono::steady_clock::time_point start) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double frac = total ? std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total)) : 1.0;
  int filled = static_cast<int>(frac * 30);
  std::fprintf(stderr, "\r[%.*s%*s] %3d%%  %zu rows  %.0f rows/s ", filled, "==============================", 30 - filled, "",
               static_cast<int>(frac * 100), rows, secs > 0 ? static_cast<double>(rows) / secs : 0.0);
  std::fflush(stderr);
}

// `lienthong convert-addresses`: streams the file with constant memory; a progress bar on a terminal.
int convert_addresses(app::App& a, units::CsvOptions o, const std::string& in_path, const std::string& out_path,
                      const std::string& as_of) {
  if (o.column.empty() && o.province_column.empty() && o.district_column.empty() && o.commune_column.empty()) o.column = "address";
  if (!as_of.empty() && !units::valid_date(as_of)) throw ApiError::bad_request("invalid_date", "--as-of must be YYYY-MM-DD", "as_of");
  o.as_of = as_of.empty() ? units::today_vn() : as_of;
  std::ifstream in(in_path, std::ios::binary);
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!in) throw std::runtime_error("cannot read " + in_path);
  if (!out) throw std::runtime_error("cannot write " + out_path);
  std::vector<char> ibuf(1 << 20), obuf(1 << 20);
  in.rdbuf()->pubsetbuf(ibuf.data(), static_cast<std::streamsize>(ibuf.size()));
  out.rdbuf()->pubsetbuf(obuf.data(), static_cast<std::streamsize>(obuf.size()));
  auto total = std::filesystem::file_size(in_path);
  auto start = std::chrono::steady_clock::now();
  if (isatty(STDERR_FILENO)) o.progress = [&](size_t rows, size_t bytes) { progress_bar(rows, bytes, total, start); };
  auto sum = units::convert_csv(*a.units->addresses(), in, out, o);
  out.flush();
  if (!out) throw std::runtime_error("writing " + out_path + " failed");
  if (o.progress) std::fprintf(stderr, "\n");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "rows: " << sum.rows << "\nconverted: " << sum.converted << "\nambiguous: " << sum.ambiguous
            << "\nunresolved: " << sum.unresolved << "\n";
  for (const auto& [reason, n] : sum.reasons) std::cout << "  " << reason << ": " << n << "\n";
  std::cout << "seconds: " << secs << "\n";
  return 0;
}

// Rows per transaction of a CLI import: large, so that the index pages a batch touches are written once
// per batch rather than once per few thousand rows (docs/PERFORMANCE.md).
constexpr size_t kImportBatch = 50000;

// `lienthong import REGISTRY --input F --rejects R`.
int import_registry(app::App& a, registry::ImportOptions o, const std::string& in_path, const std::string& rejects_path, bool format_given) {
  namespace fs = std::filesystem;
  if (!format_given && (in_path.ends_with(".jsonl") || in_path.ends_with(".ndjson"))) o.format = "jsonl";
  if (o.source.empty()) o.source = "import:" + fs::path(in_path).filename().string();
  if (o.batch == 0) o.batch = kImportBatch;
  std::ifstream in(in_path, std::ios::binary);
  std::ofstream rej(rejects_path, std::ios::binary | std::ios::trunc);
  if (!in) throw std::runtime_error("cannot read " + in_path);
  if (!rej) throw std::runtime_error("cannot write " + rejects_path);
  auto total = fs::file_size(in_path);
  auto start = std::chrono::steady_clock::now();
  if (isatty(STDERR_FILENO)) o.progress = [&](size_t rows, size_t bytes) { progress_bar(rows, bytes, total, start); };
  auto sum = a.registry->import(in, &rej, o);
  if (o.progress) std::fprintf(stderr, "\n");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "rows: " << sum.rows << "\ninserted: " << sum.inserted << "\nupdated: " << sum.updated << "\nunchanged: " << sum.unchanged
            << "\nrejected: " << sum.rejected << "\nwith_warnings: " << sum.with_warnings << "\n";
  for (const auto& [rule, n] : sum.rules) std::cout << "  " << rule << ": " << n << "\n";
  std::cout << "seconds: " << secs << "\n";
  return 0;
}

// `lienthong demo generate --citizens N --out DIR [--import]`: the synthetic population (docs/REGISTRY.md)
// as the four import templates; with --import, loaded into the registries in dependency order.
int demo_generate(app::App& a, registry::GenerateOptions o, const std::string& out_dir, bool load) {
  namespace fs = std::filesystem;
  fs::create_directories(out_dir);
  const char* names[] = {"citizens", "households", "enterprises", "parcels"};
  std::ofstream files[4];
  for (int i = 0; i < 4; ++i) {
    files[i].open(fs::path(out_dir) / (std::string(names[i]) + ".csv"), std::ios::binary | std::ios::trunc);
    if (!files[i]) throw std::runtime_error("cannot write " + (fs::path(out_dir) / names[i]).string() + ".csv");
  }
  auto start = std::chrono::steady_clock::now();
  auto sum = registry::generate(*a.units->map(), o, files[0], files[1], files[2], files[3]);
  for (auto& f : files) {
    f.flush();
    if (!f) throw std::runtime_error("writing to " + out_dir + " failed");
    f.close();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "citizens: " << sum.citizens << " (dirty " << sum.dirty << ")\nhouseholds: " << sum.households
            << "\nenterprises: " << sum.enterprises << " (dirty " << sum.dirty_enterprises << ")\nparcels: " << sum.parcels
            << "\nseconds: " << secs << "\nwritten to " << out_dir << "/{citizens,households,enterprises,parcels}.csv\n";
  if (!load) return 0;
  for (const char* name : names) {
    registry::ImportOptions imp;
    imp.registry = name;
    imp.batch = kImportBatch;
    std::string in = (fs::path(out_dir) / (std::string(name) + ".csv")).string();
    std::cout << "== import " << name << "\n";
    if (int rc = import_registry(a, imp, in, (fs::path(out_dir) / (std::string(name) + ".rejects.csv")).string(), false)) return rc;
  }
  return 0;
}

int main(int argc, char** argv) {
  crypto::init();
  CLI::App cli{"lienthong — hệ thống chính quyền địa phương hai cấp / two-tier local government platform"};
  cli.require_subcommand(1);
  Common common;

  auto* serve_cmd = cli.add_subcommand("serve", "Serve the API and the web app");
  add_common(serve_cmd, common);
  int port = -1;
  bool demo = false;
  std::string ready_file;
  serve_cmd->add_option("--port", port, "listen port (0: any free port)");
  serve_cmd->add_flag("--demo", demo, "seed the demo province's accounts (fixed passwords, see README)");
  serve_cmd->add_option("--ready-file", ready_file, "write the listening port to this file once ready");

  auto* migrate_cmd = cli.add_subcommand("migrate", "Apply pending database migrations");
  add_common(migrate_cmd, common);

  auto* admin_cmd = cli.add_subcommand("admin", "Account administration");
  admin_cmd->require_subcommand(1);
  auto* create_cmd = admin_cmd->add_subcommand("create", "Create an account; prints a one-time password on the last line");
  add_common(create_cmd, common);
  std::string username, role, unit, display_name, email;
  create_cmd->add_option("--username", username, "username")->required();
  create_cmd->add_option("--role", role, "role: system-admin, province-admin, one-stop-officer, specialist, leader, member-system")->required();
  create_cmd->add_option("--unit", unit, "unit code the account is bound to (province or commune)");
  create_cmd->add_option("--display-name", display_name, "display name (default: the username)");
  create_cmd->add_option("--email", email, "e-mail address");

  auto* audit_cmd = cli.add_subcommand("audit", "Audit log");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand("verify", "Verify the hash chain and its signed head; exit 1 on tampering");
  add_common(verify_cmd, common);

  auto* exchange_cmd = cli.add_subcommand("exchange", "Data exchange");
  exchange_cmd->require_subcommand(1);
  auto* verify_log_cmd =
      exchange_cmd->add_subcommand("verify-log", "Verify the gateway message log's hash chains; exit 1 on a changed or removed record");
  add_common(verify_log_cmd, common);

  auto* backup_cmd = cli.add_subcommand("backup", "Online backup of the SQLite database");
  add_common(backup_cmd, common);
  std::string to_file;
  backup_cmd->add_option("--to", to_file, "backup file")->required();
  auto* restore_cmd = cli.add_subcommand("restore", "Replace the SQLite database with a backup (stop the server first)");
  add_common(restore_cmd, common);
  std::string from_file;
  restore_cmd->add_option("--from", from_file, "backup file")->required()->check(CLI::ExistingFile);

  auto* config_cmd = cli.add_subcommand("config", "Configuration");
  config_cmd->require_subcommand(1);
  auto* show_cmd = config_cmd->add_subcommand("show", "Print the effective configuration, secrets masked");
  add_common(show_cmd, common);

  auto* keys_cmd = cli.add_subcommand("keys", "Signing keys");
  keys_cmd->require_subcommand(1);
  auto* rotate_cmd = keys_cmd->add_subcommand("rotate", "Create a new signing key; older keys keep verifying");
  add_common(rotate_cmd, common);
  auto* list_cmd = keys_cmd->add_subcommand("list", "List key ids and status");
  add_common(list_cmd, common);

  auto* units_cmd = cli.add_subcommand("units", "Administrative units");
  units_cmd->require_subcommand(1);
  auto* import_event_cmd =
      units_cmd->add_subcommand("import-event", "Import reorganisation events from JSON files (docs/UNITS.md); already imported ones are skipped");
  add_common(import_event_cmd, common);
  std::vector<std::string> event_files;
  import_event_cmd->add_option("files", event_files, "event files")->required()->check(CLI::ExistingFile);

  auto* convert_cmd = cli.add_subcommand(
      "convert-addresses", "Convert the addresses of a CSV file to the current map; appends status, new_address, … (docs/UNITS.md)");
  add_common(convert_cmd, common);
  std::string conv_in, conv_out, conv_as_of;
  units::CsvOptions conv;
  convert_cmd->add_option("--input", conv_in, "input CSV (UTF-8, header row)")->required()->check(CLI::ExistingFile);
  convert_cmd->add_option("--output", conv_out, "output CSV")->required();
  convert_cmd->add_option("--column", conv.column, "column holding the free-text address");
  convert_cmd->add_option("--province-column", conv.province_column, "column of old province codes (structured input)");
  convert_cmd->add_option("--district-column", conv.district_column, "column of old district codes");
  convert_cmd->add_option("--commune-column", conv.commune_column, "column of old commune codes");
  convert_cmd->add_option("--street-column", conv.street_column, "column of the street part (structured input)");
  convert_cmd->add_option("--as-of", conv_as_of, "convert to the map of this date (YYYY-MM-DD; default today)");

  auto* import_cmd = cli.add_subcommand("import", "Bulk import into a base registry (docs/REGISTRY.md)");
  add_common(import_cmd, common);
  registry::ImportOptions imp;
  imp.batch = kImportBatch;
  std::string imp_in, imp_rejects;
  import_cmd->add_option("registry", imp.registry, "citizens, households, enterprises or parcels")
      ->required()
      ->check(CLI::IsMember({"citizens", "households", "enterprises", "parcels"}));
  import_cmd->add_option("--input", imp_in, "CSV with the template header, or JSON Lines")->required()->check(CLI::ExistingFile);
  import_cmd->add_option("--rejects", imp_rejects, "CSV of rejected rows (line,key,rules,message) and rows with warnings")->required();
  import_cmd->add_option("--format", imp.format, "csv (default) or jsonl; default from the file name");
  import_cmd->add_option("--source", imp.source, "source system recorded for every field (default import:<file name>)");
  import_cmd->add_option("--batch", imp.batch, "rows per transaction (default 50000)");

  auto* demo_cmd = cli.add_subcommand("demo", "Demo data");
  demo_cmd->require_subcommand(1);
  auto* generate_cmd = demo_cmd->add_subcommand(
      "generate", "Generate a synthetic population on the real map as the four registry CSV templates (docs/REGISTRY.md)");
  add_common(generate_cmd, common);
  registry::GenerateOptions gen;
  std::string gen_out = "demo-data";
  bool gen_import = false;
  generate_cmd->add_option("--citizens", gen.citizens, "number of citizens (default 1000)")->check(CLI::Range(size_t{1}, size_t{100000000}));
  generate_cmd->add_option("--seed", gen.seed, "random seed; the same seed gives the same files (default 20250701)");
  generate_cmd->add_option("--dirty-share", gen.dirty_share, "share of deliberately dirty citizen rows, 0…1 (default 0.02)")
      ->check(CLI::Range(0.0, 1.0));
  generate_cmd->add_option("--today", gen.today, "reference date YYYY-MM-DD (default today in Vietnam)");
  generate_cmd->add_option("--out", gen_out, "output folder (default ./demo-data)");
  generate_cmd->add_flag("--import", gen_import, "also import the files into the registries");

  auto* dossiers_cmd = demo_cmd->add_subcommand(
      "dossiers", "Generate synthetic dossiers in every status for load tests (docs/PROCEDURES.md); the demo agencies get 5% of them");
  add_common(dossiers_cmd, common);
  int64_t gen_dossiers = 1000;
  uint64_t gen_dossier_seed = 20250701;
  int gen_agencies = 200;
  dossiers_cmd->add_option("--count", gen_dossiers, "number of dossiers (default 1000)")->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  dossiers_cmd->add_option("--seed", gen_dossier_seed, "random seed (default 20250701)");
  dossiers_cmd->add_option("--agencies", gen_agencies, "synthetic receiving agencies besides the demo ones (default 200)")->check(CLI::Range(1, 100000));

  auto* catalog_cmd = cli.add_subcommand("catalog", "Procedure catalogue (docs/PROCEDURES.md)");
  catalog_cmd->require_subcommand(1);
  auto* catalog_import_cmd = catalog_cmd->add_subcommand("import", "Import procedures from a JSON or CSV file (upsert by code, all or nothing)");
  add_common(catalog_import_cmd, common);
  std::string catalog_in, catalog_out, catalog_format = "json";
  catalog_import_cmd->add_option("--input", catalog_in, "JSON ({\"procedures\": [...]}) or CSV (.csv) file")->required()->check(CLI::ExistingFile);
  auto* catalog_export_cmd = catalog_cmd->add_subcommand("export", "Export the catalogue as JSON or CSV");
  add_common(catalog_export_cmd, common);
  catalog_export_cmd->add_option("--format", catalog_format, "json (default) or csv")->check(CLI::IsMember({"json", "csv"}));
  catalog_export_cmd->add_option("--output", catalog_out, "output file (default: standard output)");

  auto* calendar_cmd = cli.add_subcommand("calendar", "Working-time calendar (docs/CALENDAR.md)");
  calendar_cmd->require_subcommand(1);
  auto* due_cmd = calendar_cmd->add_subcommand("due", "Print the due time (ISO 8601 with offset) of a dossier received at --from");
  add_common(due_cmd, common);
  std::string due_from;
  int due_days = 0, due_hours = 0;
  due_cmd->add_option("--from", due_from, "receipt time, e.g. 2026-02-13T10:00+07:00")->required();
  auto* due_days_opt = due_cmd->add_option("--working-days", due_days, "time limit in working days")->check(CLI::Range(1, 9999));
  auto* due_hours_opt = due_cmd->add_option("--working-hours", due_hours, "time limit in working hours")->check(CLI::Range(1, 9999));
  due_days_opt->excludes(due_hours_opt);
  auto* holidays_cmd = calendar_cmd->add_subcommand("holidays", "List a year's days off and make-up working days");
  add_common(holidays_cmd, common);
  int holidays_year = 0;
  holidays_cmd->add_option("--year", holidays_year, "year")->required()->check(CLI::Range(1900, 2199));

  auto* routes_cmd = cli.add_subcommand("routes", "Print every HTTP route with its permission, as JSON lines");
  add_common(routes_cmd, common);

  CLI11_PARSE(cli, argc, argv);

  try {
    config::Config cfg = load_config(common);
    if (port >= 0) cfg.port = port;
    // Bulk imports keep the indexes they touch in memory between commits (docs/PERFORMANCE.md).
    if (import_cmd->parsed() || generate_cmd->parsed()) cfg.sqlite_cache_mib = std::max(cfg.sqlite_cache_mib, 256);
    bool serving = serve_cmd->parsed();
    log::init(cfg.log_level, serving && cfg.access_log);
    if (show_cmd->parsed()) {
      std::cout << cfg.show();
      return 0;
    }
    app::App a(cfg);
    if (serving) return serve(a, demo, ready_file);
    if (restore_cmd->parsed()) {
      auto db = db::Database::open(cfg.db, 1, cfg.sqlite_synchronous);
      db->restore_from(from_file);
      std::cout << "restored " << config::mask_url(cfg.db) << " from " << from_file << "\n";
      return 0;
    }
    a.open();
    if (migrate_cmd->parsed()) {
      std::cout << "migrations current (" << a.migrator.all().size() << " known)\n";
      return 0;
    }
    if (create_cmd->parsed()) {
      identity::CreateAccount c;
      c.username = username;
      c.role = role;
      c.unit_code = unit;
      c.display_name = display_name.empty() ? username : display_name;
      c.email = email;
      c.must_change_password = true;
      auto [acc, otp] = a.identity->create(c, identity::Actor::cli());
      std::cout << "created account " << acc.id << " (" << acc.username << ", " << acc.role
                << "); one-time password, to be changed at first sign-in:\n"
                << otp << "\n";
      return 0;
    }
    if (verify_cmd->parsed()) {
      auto v = a.audit->verify(*a.db);
      if (v.ok) {
        std::cout << "audit log OK: " << v.records << " records, chain heads signed and current\n";
        return 0;
      }
      std::cout << "AUDIT LOG TAMPERED: chain '" << v.chain << "'";
      if (v.bad_id) std::cout << ", first bad record id " << *v.bad_id;
      if (v.bad_seq) std::cout << " (seq " << *v.bad_seq << ")";
      std::cout << ": " << v.problem << "\n";
      return 1;
    }
    if (verify_log_cmd->parsed()) {
      auto v = exchange::Service::verify_log(*a.db);
      if (v.ok) {
        std::cout << "message log OK: " << v.records << " records in " << v.chains << " chains\n";
        return 0;
      }
      std::cout << "MESSAGE LOG TAMPERED: chain '" << v.chain << "', first bad record id " << v.bad_id << ": " << v.problem << "\n";
      return 1;
    }
    if (backup_cmd->parsed()) {
      a.db->backup_to(to_file);
      std::cout << "backup written to " << to_file << "\n";
      return 0;
    }
    if (rotate_cmd->parsed()) {
      auto k = a.keys->rotate([&](db::Conn& c, const crypto::PublicKey& nk) {
        a.audit->append(c, {"cli", "keys.rotate", "signing_key", nk.kid, "", "", "{\"kid\":\"" + nk.kid + "\"}"});
        outbox::Outbox::publish(c, "keys.rotated", nk.kid, "{\"kid\":\"" + nk.kid + "\"}");
      });
      std::cout << "new signing key " << k.kid << "\n";
      return 0;
    }
    if (routes_cmd->parsed()) {
      a.add_routes();
      for (const auto& r : a.router.routes())
        std::cout << boost::json::serialize(boost::json::object{{"method", r->method}, {"path", r->pattern},
                                                                 {"permission", r->permission}, {"summary", r->summary}})
                  << "\n";
      return 0;
    }
    if (convert_cmd->parsed()) return convert_addresses(a, conv, conv_in, conv_out, conv_as_of);
    if (generate_cmd->parsed()) return demo_generate(a, gen, gen_out, gen_import);
    if (dossiers_cmd->parsed()) {
      // The demo province's one-stop centre and People's Committee of Ba Đình get a 1/20 share each
      // way (1 in 20 of the list), the rest go to synthetic agencies of the same province.
      std::vector<std::string> agencies;
      for (int i = 0; i < gen_agencies; ++i) {
        char code[32];
        std::snprintf(code, sizeof code, "000.%02d.%02d.H26", 90 + i / 100, i % 100);
        agencies.emplace_back(code);
      }
      for (size_t i = 0, n = agencies.size() / 19 + 1; i < n; ++i) {
        agencies.emplace_back(i % 2 ? "000.20.04.H26" : "000.21.04.H26");
      }
      auto start = std::chrono::steady_clock::now();
      bool tty = ::isatty(2);
      int64_t n = a.dossiers->generate(gen_dossiers, gen_dossier_seed, agencies, "01", [&](int64_t done) {
        if (tty) std::cerr << "\r" << done << " / " << gen_dossiers << std::flush;
      });
      if (tty) std::cerr << "\n";
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cout << "dossiers: " << n << "\nseconds: " << secs << "\n";
      return 0;
    }
    if (due_cmd->parsed()) {
      if (!due_days && !due_hours) throw std::runtime_error("give --working-days N or --working-hours N");
      auto o = a.calendar_due_json(due_from, due_days ? std::optional(std::to_string(due_days)) : std::nullopt,
                                   due_hours ? std::optional(std::to_string(due_hours)) : std::nullopt);
      if (auto* w = o.if_contains("warning")) std::cerr << "warning: " << w->as_string().c_str() << "\n";
      std::cout << o.at("due").as_string().c_str() << "\n";
      return 0;
    }
    if (holidays_cmd->parsed()) {
      auto cal = a.calendar->current();
      bool official = cal->has_schedule(holidays_year);
      std::cout << "# " << holidays_year << ": " << (official ? "official schedule" : "legal defaults (no official schedule entered)") << "\n";
      std::cout << "date,weekday,kind,name,source\n";
      static const char* kWd[] = {"CN", "T2", "T3", "T4", "T5", "T6", "T7"};
      for (const auto& d : cal->days(holidays_year))
        std::cout << csv::format_row({d.date, kWd[calendar::weekday(*calendar::parse_date(d.date))], d.kind, d.name, d.source}) << "\n";
      return 0;
    }
    if (import_cmd->parsed()) return import_registry(a, imp, imp_in, imp_rejects, import_cmd->count("--format") > 0);
    if (catalog_import_cmd->parsed()) {
      std::ifstream in(catalog_in, std::ios::binary);
      std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      bool csv = catalog_in.size() > 4 && catalog_in.substr(catalog_in.size() - 4) == ".csv";
      auto r = a.catalog->import(body, csv, "cli", "");
      std::cout << "created: " << r.created << "\nupdated: " << r.updated << "\nunchanged: " << r.unchanged << "\n";
      return 0;
    }
    if (catalog_export_cmd->parsed()) {
      std::string text = catalog_format == "csv" ? a.catalog->export_csv() : a.catalog->export_json() + "\n";
      if (catalog_out.empty()) {
        std::cout << text;
      } else {
        std::ofstream out(catalog_out, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out) throw std::runtime_error("cannot write " + catalog_out);
      }
      return 0;
    }
    if (import_event_cmd->parsed()) {
      for (const auto& f : event_files) {
        std::ifstream in(f, std::ios::binary);
        std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto doc = json::parse_object(body);
        std::string code = doc.contains("code") && doc.at("code").is_string() ? std::string(doc.at("code").as_string()) : "";
        if (!code.empty() && a.units->has_event(code)) {
          std::cout << f << ": event " << code << " already imported, skipped\n";
          continue;
        }
        int64_t id = a.units->import_event(doc, "cli", "");
        std::cout << f << ": event " << code << " imported (id " << id << ")\n";
      }
      return 0;
    }
    if (list_cmd->parsed()) {
      for (const auto& k : a.keys->public_keys()) std::cout << k.kid << " " << k.status << " " << k.created_at << "\n";
      return 0;
    }
  } catch (const ApiError& e) {
    std::cerr << "error: " << e.what() << (e.field().empty() ? "" : " (" + e.field() + ")") << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
