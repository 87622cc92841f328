#include "app/app.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <filesystem>

#include "platform/crypto/crypto.hpp"
#include "platform/util/error.hpp"
#include "platform/util/time.hpp"

namespace lt::app {

extern const std::string_view kOpenApiJson;

namespace bj = boost::json;

App::App(config::Config c) : cfg(std::move(c)) {}

App::~App() {
  if (events) events->stop();
  if (outbox) outbox->stop();
}

void App::open() {
  std::filesystem::create_directories(cfg.data_dir);
  if (cfg.db.rfind("sqlite:", 0) == 0) {
    auto path = std::filesystem::path(cfg.db.substr(cfg.db.rfind("sqlite://", 0) == 0 ? 9 : 7));
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  }
  db = db::Database::open(cfg.db, cfg.db_pool, cfg.sqlite_synchronous, cfg.sqlite_cache_mib);
  crypto::KeyRing::add_migrations(migrator);
  outbox::Outbox::add_migrations(migrator);
  units::Service::add_migrations(migrator, cfg.units_dir);
  audit::Log::add_migrations(migrator);
  identity::Service::add_migrations(migrator);
  registry::Service::add_migrations(migrator);
  registry::Documents::add_migration(migrator);
  calendar::Store::add_migrations(migrator);
  catalog::Service::add_migrations(migrator, cfg.catalog_file);
  dossiers::Service::add_migrations(migrator);
  exchange::Service::add_migrations(migrator);
  exchange::Events::add_migrations(migrator);
  int n = migrator.apply(*db);
  if (n > 0) spdlog::info("applied {} migration(s)", n);

  std::string master = crypto::KeyRing::load_master_key(cfg.master_key_file);
  keys = std::make_unique<crypto::KeyRing>(*db, master);
  keys->load_or_create();
  audit = std::make_unique<audit::Log>(*keys);
  audit->ensure_chain(*db);
  units = std::make_unique<units::Service>(*db, *audit);
  units->load();
  identity::Options io;
  io.session_ttl_minutes = cfg.session_ttl_minutes;
  io.password_hash_cost = cfg.password_hash_cost;
  io.login_max_failures = cfg.login_max_failures;
  io.login_ip_max_failures = cfg.login_ip_max_failures;
  io.login_lockout_minutes = cfg.login_lockout_minutes;
  io.api_key_overlap_hours = cfg.api_key_overlap_hours;
  io.auth_cache_ms = cfg.auth_cache_ms;
  io.public_url = cfg.public_url;
  // TOTP secrets are sealed with a key derived from the master key.
  io.secret_key = crypto::sha256_raw("lienthong-totp\n" + master);
  identity = std::make_unique<identity::Service>(*db, *units, *audit, io);
  registry = std::make_unique<registry::Service>(*db, *audit, *units);
  blobs = std::make_unique<files::BlobStore>(cfg.files_dir);
  documents = std::make_unique<registry::Documents>(*db, *audit, *blobs, *registry);
  outbox::Options oo;
  oo.poll_ms = cfg.outbox_poll_ms;
  oo.max_attempts = cfg.outbox_max_attempts;
  oo.backoff_ms = cfg.outbox_backoff_ms;
  outbox = std::make_unique<outbox::Outbox>(*db, oo);
  outbox->on("mail.", outbox::file_mail_handler(cfg.mail_dir));
  outbox->on("sms.", outbox::file_sms_handler(cfg.sms_dir));
  calendar = std::make_unique<calendar::Store>(*db, office_hours(cfg));
  catalog = std::make_unique<catalog::Service>(*db, *audit);
  catalog->load();
  dossiers::Options dopt;
  dopt.public_url = cfg.public_url;
  dopt.portal_url = cfg.portal_url;
  dopt.portal_token = cfg.portal_token;
  dopt.account_role_agency = [this](int64_t id) -> std::optional<std::pair<std::string, std::string>> {
    try {
      auto a = identity->get(id);
      if (a.status != "active") return std::nullopt;
      return std::pair{a.role, a.agency_code};
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  dossiers = std::make_unique<dossiers::Service>(*db, *audit, *keys, *blobs, *units, *registry, *documents, *catalog, *calendar, dopt);
  outbox->on("portal.", [send = dossiers->portal_sender()](const outbox::Event& e) { send(e.topic, e.payload, e.id); });
  exchange::Options xo;
  xo.authenticate = [this](const http::Request& req) { return identity->authenticate(req); };
  xo.account_active = [this](int64_t id) {
    try {
      return identity->get(id).status == "active";
    } catch (const std::exception&) {
      return false;  // no such account
    }
  };
  exchange = std::make_unique<exchange::Service>(*db, *audit, *keys, xo);
  exchange::EventOptions eo;
  eo.poll_ms = cfg.outbox_poll_ms;
  eo.backoff_ms = cfg.outbox_backoff_ms;
  eo.max_attempts = cfg.outbox_max_attempts;
  eo.push_lanes = cfg.event_push_lanes;
  eo.member = [this](const http::Request& req) { return exchange->member_of(req); };
  events = std::make_unique<exchange::Events>(*db, *audit, *keys, eo);
  // The platform's change feed becomes events of its topics (idempotent by outbox event id).
  for (const char* topic : {"citizen.", "household.", "enterprise.", "parcel.", "dossier.status"})
    outbox->on(topic, [this](const outbox::Event& e) {
      if (!events->has_subscribers(e.topic)) return;  // nobody listens: nothing to store or deliver
      db->write([&](db::Conn& c) { exchange::Events::publish_in(c, e.topic, e.key, e.payload, "lienthong", "outbox:" + std::to_string(e.id)); });
    });
}

void App::warn_missing_schedules() const {
  int this_year = calendar::ymd((timeutil::now_ms() + calendar::kVietnamOffsetMs) / 86400000).y;
  for (int y : {this_year, this_year + 1})
    if (!calendar->current()->has_schedule(y))
      spdlog::warn("no official working-time schedule for {}: the legal defaults apply until an admin enters it (PUT /api/v1/calendar/{})",
                   y, y);
}

calendar::OfficeHours office_hours(const config::Config& cfg) {
  auto minute = [](std::string_view hhmm, const char* what) {
    if (hhmm.size() != 5 || hhmm[2] != ':' || !std::isdigit(static_cast<unsigned char>(hhmm[0])) ||
        !std::isdigit(static_cast<unsigned char>(hhmm[1])) || !std::isdigit(static_cast<unsigned char>(hhmm[3])) ||
        !std::isdigit(static_cast<unsigned char>(hhmm[4])))
      throw std::runtime_error(std::string(what) + ": expected HH:MM, got '" + std::string(hhmm) + "'");
    int m = (hhmm[0] - '0') * 600 + (hhmm[1] - '0') * 60 + (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
    if (m >= 24 * 60) throw std::runtime_error(std::string(what) + ": no such time " + std::string(hhmm));
    return m;
  };
  calendar::OfficeHours h;
  const std::string& s = cfg.office_hours;  // "08:00-12:00,13:00-17:00"
  if (s.size() != 23 || s[5] != '-' || s[11] != ',' || s[17] != '-')
    throw std::runtime_error("office_hours: expected HH:MM-HH:MM,HH:MM-HH:MM, got '" + s + "'");
  h.open_min = minute(std::string_view(s).substr(0, 5), "office_hours");
  h.lunch_start_min = minute(std::string_view(s).substr(6, 5), "office_hours");
  h.lunch_end_min = minute(std::string_view(s).substr(12, 5), "office_hours");
  h.close_min = minute(std::string_view(s).substr(18, 5), "office_hours");
  if (!(h.open_min < h.lunch_start_min && h.lunch_start_min <= h.lunch_end_min && h.lunch_end_min < h.close_min))
    throw std::runtime_error("office_hours: the times must increase: '" + s + "'");
  h.cutoff_min = minute(cfg.receipt_cutoff, "receipt_cutoff");
  return h;
}

void App::add_routes() {
  add_platform_routes();
  add_calendar_routes();
  units->add_routes(router);
  units::add_address_routes(router, *units);
  units::add_agency_routes(router, *units);
  identity->add_routes(router);
  registry->add_routes(router);
  registry->add_purpose_routes(router);
  documents->add_routes(router);
  catalog->add_routes(router);
  dossiers->add_routes(router);
  exchange->add_routes(router);
  events->add_routes(router);
  audit->add_routes(router, *db);
}

namespace {
constexpr const char* kDocsHtml = R"HTML(<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>lienthong API</title><link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs.css"></head>
<body><header><h1>lienthong — API v1</h1><p>Mô tả OpenAPI 3 / OpenAPI 3 description: <a href="/api/openapi.json">/api/openapi.json</a></p></header>
<main id="ops">Đang tải… / Loading…</main><script src="/api/docs.js"></script></body></html>
)HTML";
constexpr const char* kDocsCss =
    "body{font-family:system-ui,sans-serif;margin:0;color:#1b1f24}header{background:#a50e0e;color:#fff;padding:1rem 2rem}"
    "header a{color:#ffe08a}main{padding:1rem 2rem;max-width:70rem}section{border:1px solid #ddd;border-radius:6px;"
    "margin:.6rem 0;padding:.6rem 1rem}code{font-weight:600}.m{display:inline-block;min-width:4.5rem;font-weight:700}"
    ".GET{color:#0b6e2e}.POST{color:#0b4fa8}.PATCH{color:#8a5a00}.DELETE{color:#a50e0e}.perm{color:#555;font-size:.9em}";
constexpr const char* kDocsJs = R"JS(fetch('/api/openapi.json').then(r => r.json()).then(spec => {
  const main = document.getElementById('ops');
  main.textContent = '';
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const s = document.createElement('section');
      const h = document.createElement('div');
      const m = document.createElement('span'); m.className = 'm ' + method.toUpperCase(); m.textContent = method.toUpperCase();
      const c = document.createElement('code'); c.textContent = path;
      h.append(m, c); s.append(h);
      const p = document.createElement('p'); p.textContent = op.summary || ''; s.append(p);
      const perm = document.createElement('div'); perm.className = 'perm';
      perm.textContent = 'permission: ' + (op['x-permission'] || '?'); s.append(perm);
      main.append(s);
    }
  }
});
)JS";
}  // namespace

void App::add_platform_routes() {
  const std::string pub(http::kPublic);
  router.add({"GET", "/healthz", pub, "Process is alive",
              [](http::Request&) { return http::Response::json({{"status", "ok"}}); }, 0, true});
  router.add({"GET", "/readyz", pub, "Database reachable and migrations current", [this](http::Request&) {
                try {
                  auto pending = migrator.pending(*db);
                  if (!pending.empty()) {
                    bj::array a;
                    for (auto& p : pending) a.push_back(bj::string(p));
                    return http::Response::json({{"status", "migrations_pending"}, {"pending", a}}, 503);
                  }
                  return http::Response::json({{"status", "ready"}});
                } catch (const std::exception& e) {
                  return http::Response::json({{"status", "database_unreachable"}}, 503);
                }
              }});
  router.add({"GET", "/metrics", pub, "Prometheus metrics", [this](http::Request&) {
                return http::Response::text(metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
              }});
  router.add({"GET", "/api/openapi.json", pub, "This API's OpenAPI 3 description", [](http::Request&) {
                return http::Response::text(std::string(kOpenApiJson), "application/json");
              }});
  router.add({"GET", "/api/docs", pub, "API documentation page", [](http::Request&) {
                return http::Response::text(kDocsHtml, "text/html; charset=utf-8");
              }});
  router.add({"GET", "/api/docs.js", pub, "Script of the documentation page", [](http::Request&) {
                return http::Response::text(kDocsJs, "text/javascript; charset=utf-8");
              }});
  router.add({"GET", "/api/docs.css", pub, "Style of the documentation page", [](http::Request&) {
                return http::Response::text(kDocsCss, "text/css; charset=utf-8");
              }});
  router.add({"GET", "/api/v1/keys", pub, "Public signing keys (Ed25519), newest first", [this](http::Request&) {
                bj::array a;
                for (const auto& k : keys->public_keys())
                  a.push_back({{"kid", k.kid}, {"kty", "OKP"}, {"crv", "Ed25519"}, {"alg", "EdDSA"},
                               {"x", crypto::base64url(k.public_key)}, {"status", k.status}, {"created_at", k.created_at}});
                auto r = http::Response::json({{"keys", std::move(a)}});
                r.set_header("Cache-Control", "public, max-age=300");
                return r;
              }});
  router.add({"POST", "/api/v1/keys/rotate", "keys.manage", "Rotate the signing key (old keys keep verifying)",
              [this](http::Request& req) {
                auto k = keys->rotate([&](db::Conn& c, const crypto::PublicKey& nk) {
                  audit->append(c, {req.who().actor(), "keys.rotate", "signing_key", nk.kid,
                                    "", req.request_id, bj::serialize(bj::object{{"kid", nk.kid}})});
                  outbox::Outbox::publish(c, "keys.rotated", nk.kid, bj::serialize(bj::object{{"kid", nk.kid}}));
                });
                return http::Response::json({{"kid", k.kid}, {"x", crypto::base64url(k.public_key)}}, 201);
              }});

  metrics.gauge("lienthong_db_pool_size", "Open database connections", [this] { return db->stats().size; });
  metrics.gauge("lienthong_db_pool_in_use", "Database connections in use", [this] { return db->stats().in_use; });
  metrics.gauge("lienthong_db_pool_waits_total", "Times a request waited for a connection",
                [this] { return static_cast<double>(db->stats().waits); });
  metrics.gauge("lienthong_outbox_pending", "Outbox events waiting for delivery",
                [this] { return static_cast<double>(outbox->stats().pending); });
  metrics.gauge("lienthong_outbox_dead", "Outbox events dead-lettered", [this] { return static_cast<double>(outbox->stats().dead); });
  metrics.gauge("lienthong_outbox_lag_seconds", "Age of the oldest pending outbox event",
                [this] { return outbox->stats().oldest_pending_age_s; });
}

void App::seed_demo() {
  if (identity->find_by_username("sysadmin")) return;
  struct Demo {
    const char *username, *name, *role, *unit, *pid, *ent, *email, *agency;
  };
  // Demo agencies (codes in the national format, invented for the demo).
  const units::Service::Agency agencies[] = {
      {"000.00.00.H26", "Ủy ban nhân dân Thành phố Hà Nội", "people-committee", "01", "", "", ""},
      {"000.01.00.H26", "Sở Tư pháp Thành phố Hà Nội", "department", "01", "", "", ""},
      {"000.20.04.H26", "Ủy ban nhân dân phường Ba Đình", "people-committee", "00004", "", "", ""},
      {"000.21.04.H26", "Trung tâm phục vụ hành chính công phường Ba Đình", "service-centre", "00004", "", "", ""},
      {"000.02.00.H26", "Sở Tài chính Thành phố Hà Nội", "department", "01", "", "", ""},
      {"000.03.00.H26", "Công an Thành phố Hà Nội", "police", "01", "", "", ""},
      {"000.22.04.H26", "Công an phường Ba Đình", "police", "00004", "", "", ""},
      {"000.20.70.H26", "Ủy ban nhân dân phường Hoàn Kiếm", "people-committee", "00070", "", "", ""},
      {"000.21.70.H26", "Trung tâm phục vụ hành chính công phường Hoàn Kiếm", "service-centre", "00070", "", "", ""},
  };
  for (const auto& a : agencies)
    if (!units->agency(a.code)) units->create_agency(a, "", "system:demo", "demo-seed");
  const Demo demo[] = {
      {"sysadmin", "Quản trị hệ thống", "system-admin", "01", "", "", "sysadmin@demo.lienthong.vn", ""},
      {"tinh.admin", "Quản trị viên Thành phố Hà Nội", "province-admin", "01", "", "", "tinh.admin@demo.lienthong.vn", "000.00.00.H26"},
      {"motcua", "Nguyễn Thị Lan", "one-stop-officer", "00004", "", "", "motcua@demo.lienthong.vn", "000.21.04.H26"},
      {"chuyenvien", "Trần Văn Minh", "specialist", "00004", "", "", "", "000.20.04.H26"},
      {"lanhdao", "Lê Văn Hùng", "leader", "00004", "", "", "", "000.20.04.H26"},
      {"congdan", "Phạm Thị Hường", "citizen", "", "001190012345", "", "congdan@demo.lienthong.vn", ""},
      {"doanhnghiep", "Công ty TNHH Liên Thông Việt", "business", "", "", "0101234565", "", ""},
      {"hethong", "Hệ thống một cửa điện tử (thử nghiệm)", "member-system", "01", "", "", "", ""},
      {"motcua.hk", "Đỗ Thị Mai", "one-stop-officer", "00070", "", "", "", "000.21.70.H26"},
      {"chuyenvien.hk", "Vũ Văn Tùng", "specialist", "00070", "", "", "", "000.20.70.H26"},
      {"lanhdao.hk", "Hoàng Văn Bình", "leader", "00070", "", "", "", "000.20.70.H26"},
      {"chuyenvien.ca", "Bùi Văn Hải", "specialist", "00004", "", "", "", "000.22.04.H26"},
      {"lanhdao.ca", "Ngô Văn Dũng", "leader", "00004", "", "", "", "000.22.04.H26"},
  };
  // Registered purposes ("declare once"); the demo member system may read for birth registration.
  const registry::Service::Purpose purposes[] = {
      {"dang-ky-khai-sinh", "Đăng ký khai sinh (đọc thông tin cha, mẹ)", "citizens", "Luật Hộ tịch 2014, Điều 16", "active",
       {"id_number", "full_name", "birth_date", "ethnicity", "nationality", "permanent_address", "permanent_commune_code"},
       {"one-stop-officer", "specialist"}},
      {"dang-ky-cu-tru", "Đăng ký thường trú, tạm trú", "citizens", "Luật Cư trú 2020", "active",
       {"id_number", "full_name", "birth_date", "sex", "permanent_address", "current_address", "household_id"},
       {"one-stop-officer", "specialist", "leader"}},
      {"dang-ky-ho-kinh-doanh", "Đăng ký hộ kinh doanh, doanh nghiệp", "enterprises", "Nghị định 01/2021/NĐ-CP", "active",
       {"enterprise_code", "name", "legal_representative_id", "address", "status", "registration_date"},
       {"one-stop-officer", "specialist"}},
  };
  for (const auto& p : purposes)
    if (!registry->purpose(p.code)) registry->create_purpose(p, "system:demo", "demo-seed");
  identity::Actor actor{"system:demo", "demo-seed", std::nullopt};
  for (const auto& d : demo) {
    identity::CreateAccount c;
    c.username = d.username;
    c.display_name = d.name;
    c.role = d.role;
    c.unit_code = d.unit;
    c.email = d.email;
    c.agency_code = d.agency;
    c.password = kDemoPassword;
    c.must_change_password = false;
    c.verified = *d.pid || *d.ent;
    c.personal_id = d.pid;
    c.enterprise_code = d.ent;
    auto [acc, _] = identity->create(c, actor);
    if (std::string_view(d.role) == "member-system") {
      identity->install_api_key(acc.id, kDemoApiKey, actor);
      registry->grant("dang-ky-khai-sinh", acc.id, true, "system:demo", "demo-seed");
    }
  }
  spdlog::info("demo accounts created (password {}): sysadmin, tinh.admin, motcua, chuyenvien, lanhdao, congdan, "
               "doanhnghiep, hethong, motcua.hk, chuyenvien.hk, lanhdao.hk, chuyenvien.ca, lanhdao.ca",
               kDemoPassword);
}

}  // namespace lt::app
