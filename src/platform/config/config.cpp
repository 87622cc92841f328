#include "platform/config/config.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <toml++/toml.h>

namespace lt::config {

std::vector<Config::Field> Config::fields() {
  return {
      {"address", Field::kString, &address, false, "listen address"},
      {"port", Field::kInt, &port, false, "listen port"},
      {"io_threads", Field::kInt, &io_threads, false, "network threads"},
      {"worker_threads", Field::kInt, &worker_threads, false, "request handler threads (may block on the database)"},
      {"max_body_kib", Field::kInt, &max_body_kib, false, "default request body limit"},
      {"header_timeout_ms", Field::kInt, &header_timeout_ms, false, "time allowed for a whole request header"},
      {"idle_timeout_ms", Field::kInt, &idle_timeout_ms, false, "keep-alive idle timeout"},
      {"hsts", Field::kBool, &hsts, false, "always send Strict-Transport-Security"},
      {"trust_proxy", Field::kBool, &trust_proxy, false, "honour X-Forwarded-For/Proto from the front proxy"},
      {"trust_client_cert", Field::kBool, &trust_client_cert, false,
       "with trust_proxy: believe the proxy's X-Client-Verify/X-Client-Cert (it must always overwrite them)"},
      {"access_log", Field::kBool, &access_log, false, "JSON access log on stdout"},
      {"log_level", Field::kString, &log_level, false, "trace|debug|info|warn|error"},
      {"db", Field::kString, &db, true, "sqlite:PATH or postgresql://…"},
      {"db_pool", Field::kInt, &db_pool, false, "database connections"},
      {"sqlite_synchronous", Field::kString, &sqlite_synchronous, false, "OFF|NORMAL|FULL|EXTRA"},
      {"sqlite_cache_mib", Field::kInt, &sqlite_cache_mib, false, "page cache per SQLite connection, MiB"},
      {"data_dir", Field::kString, &data_dir, false, "folder for the master key and the mail spool"},
      {"master_key_file", Field::kString, &master_key_file, false, "32-byte key sealing private keys (0600)"},
      {"mail_dir", Field::kString, &mail_dir, false, "development mail transport: one file per message"},
      {"files_dir", Field::kString, &files_dir, false, "content-addressed document files (personal data store)"},
      {"web_dir", Field::kString, &web_dir, false, "built web app"},
      {"units_dir", Field::kString, &units_dir, false, "administrative unit CSV files"},
      {"catalog_file", Field::kString, &catalog_file, false, "starter procedure catalogue (JSON), loaded by the first migration"},
      {"sms_dir", Field::kString, &sms_dir, false, "development SMS transport: one file per message"},
      {"portal_url", Field::kString, &portal_url, false, "national portal synchronisation endpoint (http://host:port/path)"},
      {"portal_token", Field::kString, &portal_token, true, "bearer token for the national portal endpoint"},
      {"session_ttl_minutes", Field::kInt, &session_ttl_minutes, false, "session lifetime"},
      {"password_hash_cost", Field::kString, &password_hash_cost, false, "interactive (production) or min (tests)"},
      {"login_max_failures", Field::kInt, &login_max_failures, false, "failed logins per account before lockout"},
      {"login_ip_max_failures", Field::kInt, &login_ip_max_failures, false, "failed logins per client address before lockout"},
      {"login_lockout_minutes", Field::kInt, &login_lockout_minutes, false, "lockout duration"},
      {"api_key_overlap_hours", Field::kInt, &api_key_overlap_hours, false, "old API keys stay valid this long after rotation"},
      {"auth_cache_ms", Field::kInt, &auth_cache_ms, false, "remember a checked session or API key this long (0: never)"},
      {"office_hours", Field::kString, &office_hours, false, "HH:MM-HH:MM,HH:MM-HH:MM (morning, afternoon)"},
      {"receipt_cutoff", Field::kString, &receipt_cutoff, false, "HH:MM: dossiers received later count from the next working day"},
      {"public_url", Field::kString, &public_url, false, "base URL used in e-mails"},
      {"outbox_poll_ms", Field::kInt, &outbox_poll_ms, false, "outbox worker poll interval"},
      {"outbox_max_attempts", Field::kInt, &outbox_max_attempts, false, "attempts before an event is dead-lettered"},
      {"outbox_backoff_ms", Field::kInt, &outbox_backoff_ms, false, "first retry delay (doubles each attempt)"},
      {"event_push_lanes", Field::kInt, &event_push_lanes, false, "event deliveries pushed in parallel (never two of one key)"},
  };
}

void Config::set(const std::string& name, const std::string& value) {
  for (auto& f : fields()) {
    if (f.name != name) continue;
    switch (f.kind) {
      case Field::kString:
        *static_cast<std::string*>(f.ptr) = value;
        return;
      case Field::kInt:
        try {
          size_t used = 0;
          int v = std::stoi(value, &used);
          if (used != value.size()) throw std::invalid_argument("x");
          *static_cast<int*>(f.ptr) = v;
        } catch (...) {
          throw std::invalid_argument("config " + name + ": not an integer: " + value);
        }
        return;
      case Field::kBool:
        if (value == "true" || value == "1" || value == "yes") *static_cast<bool*>(f.ptr) = true;
        else if (value == "false" || value == "0" || value == "no") *static_cast<bool*>(f.ptr) = false;
        else throw std::invalid_argument("config " + name + ": not a boolean: " + value);
        return;
    }
  }
  throw std::invalid_argument("unknown configuration key: " + name);
}

void Config::load_file(const std::string& path) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument("config file " + path + ": " + std::string(e.description()));
  }
  for (auto&& [k, v] : t) {
    std::string key(k.str());
    if (auto s = v.value<std::string>(); s && v.is_string()) set(key, *s);
    else if (v.is_integer()) set(key, std::to_string(*v.value<int64_t>()));
    else if (v.is_boolean()) set(key, *v.value<bool>() ? "true" : "false");
    else throw std::invalid_argument("config file " + path + ": unsupported value for " + key);
  }
}

void Config::load_env() {
  for (auto& f : fields()) {
    std::string env = "LIENTHONG_";
    for (char c : f.name) env += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (const char* v = std::getenv(env.c_str())) set(f.name, v);
  }
}

void Config::resolve_paths(const std::string& root) {
  namespace fs = std::filesystem;
  if (master_key_file.empty()) master_key_file = (fs::path(data_dir) / "master.key").string();
  if (mail_dir.empty()) mail_dir = (fs::path(data_dir) / "mail").string();
  if (sms_dir.empty()) sms_dir = (fs::path(data_dir) / "sms").string();
  if (files_dir.empty()) files_dir = (fs::path(data_dir) / "files").string();
  if (web_dir.empty()) web_dir = (fs::path(root) / "web" / "dist").string();
  if (units_dir.empty()) units_dir = (fs::path(root) / "data" / "admin-units").string();
  if (catalog_file.empty()) catalog_file = (fs::path(root) / "data" / "catalog" / "procedures.json").string();
}

std::string mask_url(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  std::string out = url.substr(0, colon + 1) + "***" + url.substr(at);
  // password=… in a query string
  return out;
}

std::string Config::show() {
  std::string out;
  for (auto& f : fields()) {
    out += f.name + " = ";
    switch (f.kind) {
      case Field::kString: {
        std::string v = *static_cast<std::string*>(f.ptr);
        if (f.secret) v = mask_url(v);
        if (auto p = v.find("password="); p != std::string::npos) v = v.substr(0, p) + "password=***";
        out += "\"" + v + "\"";
        break;
      }
      case Field::kInt:
        out += std::to_string(*static_cast<int*>(f.ptr));
        break;
      case Field::kBool:
        out += *static_cast<bool*>(f.ptr) ? "true" : "false";
        break;
    }
    out += "  # " + f.help + "\n";
  }
  out += std::string("# master key: ") + (std::getenv("LIENTHONG_MASTER_KEY") ? "from LIENTHONG_MASTER_KEY (***)" : "file " + master_key_file) + "\n";
  return out;
}

std::string find_root() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path p = exe.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
      if (fs::exists(p / "data" / "admin-units", ec)) return p.string();
      if (fs::exists(p / "share" / "lienthong" / "data", ec)) return (p / "share" / "lienthong").string();
    }
  }
  return fs::current_path().string();
}

}  // namespace lt::config
