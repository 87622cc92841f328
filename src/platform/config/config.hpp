#pragma once
// Configuration: defaults, then a TOML file, then LIENTHONG_* environment variables, then command
// line flags (each later source wins). `lienthong config show` prints the effective values with
// secrets masked.
#include <string>
#include <vector>

namespace lt::config {

struct Config {
  // server
  std::string address = "0.0.0.0";
  int port = 8080;
  int io_threads = 2;
  int worker_threads = 64;
  int max_body_kib = 1024;
  int header_timeout_ms = 10000;
  int idle_timeout_ms = 60000;
  bool hsts = false;
  bool trust_proxy = false;
  bool trust_client_cert = false;  // believe X-Client-Verify/X-Client-Cert (needs trust_proxy)
  bool access_log = true;
  std::string log_level = "info";
  // storage
  std::string db = "sqlite:var/lienthong.db";
  int db_pool = 8;
  std::string sqlite_synchronous = "FULL";
  int sqlite_cache_mib = 64;  // page cache per SQLite connection (filled as used); `lienthong import` raises it to ≥ 256
  // files
  std::string data_dir = "var";      // master key, mail spool
  std::string master_key_file;       // default: <data_dir>/master.key
  std::string files_dir;             // default: <data_dir>/files (personal data store)
  std::string mail_dir;              // default: <data_dir>/mail (development file transport)
  std::string web_dir;               // default: <root>/web/dist
  std::string units_dir;             // default: <root>/data/admin-units
  std::string catalog_file;          // default: <root>/data/catalog/procedures.json (starter catalogue)
  std::string sms_dir;               // default: <data_dir>/sms (development SMS transport)
  // identity
  int session_ttl_minutes = 720;
  std::string password_hash_cost = "interactive";  // "min" only for tests
  int login_max_failures = 5;
  int login_ip_max_failures = 30;
  int login_lockout_minutes = 15;
  int api_key_overlap_hours = 24;
  int auth_cache_ms = 1000;
  std::string office_hours = "08:00-12:00,13:00-17:00";  // working-time calendar: morning and afternoon
  std::string receipt_cutoff = "15:00";                  // received later: counts as the next working day
  std::string public_url = "http://localhost:8080";
  // national public-service portal synchronisation (empty URL: records stay in the outbox as delivered)
  std::string portal_url;
  std::string portal_token;
  // outbox
  int outbox_poll_ms = 200;
  int outbox_max_attempts = 8;
  int event_push_lanes = 1;
  int outbox_backoff_ms = 1000;

  struct Field {
    std::string name;
    enum Kind { kString, kInt, kBool } kind;
    void* ptr;
    bool secret;
    std::string help;
  };
  std::vector<Field> fields();
  // Sets one value from text; throws std::invalid_argument with a clear message.
  void set(const std::string& name, const std::string& value);
  void load_file(const std::string& path);  // TOML
  void load_env();                          // LIENTHONG_<NAME>
  // Fills the path defaults from the install root (the folder holding data/ and web/).
  void resolve_paths(const std::string& root);
  std::string show();  // TOML text, secrets masked
};

// The folder that holds data/ and web/: next to the executable's build folder, else the cwd.
std::string find_root();
// postgresql://user:secret@host/db → postgresql://user:***@host/db
std::string mask_url(const std::string& url);

}  // namespace lt::config
