#include "support/testdb.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "platform/crypto/crypto.hpp"
#include "platform/db/db.hpp"

namespace lt::test {

std::string backend() {
  const char* b = std::getenv("LT_TEST_BACKEND");
  return b && std::string(b) == "postgres" ? "postgres" : "sqlite";
}

std::string temp_dir(const std::string& prefix) {
  static std::atomic<int> n{0};
  auto p = std::filesystem::temp_directory_path() /
           ("lt-" + prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

std::string fresh_db_url(const std::string& dir) {
  if (backend() == "sqlite") return "sqlite:" + dir + "/test.db";
  const char* admin = std::getenv("LT_TEST_PG_URL");
  if (!admin || !*admin)
    throw std::runtime_error("LT_TEST_BACKEND=postgres needs LT_TEST_PG_URL (make test starts a throwaway cluster)");
  crypto::init();
  std::string name = "lt_" + crypto::hex(crypto::random_bytes(6));
  auto db = db::Database::open(admin, 1);
  db->read([&](db::Conn& c) { c.exec_script("CREATE DATABASE " + name); });
  std::string url(admin);
  // Replace the database name (the URL ends with /postgres or /NAME, maybe followed by ?params).
  auto q = url.find('?');
  std::string params = q == std::string::npos ? "" : url.substr(q);
  std::string base = url.substr(0, q);
  base = base.substr(0, base.rfind('/'));
  return base + "/" + name + params;
}

}  // namespace lt::test
