#pragma once
// A fresh, empty database for one test: a SQLite file in a temporary folder, or a new database in
// the throwaway PostgreSQL cluster that `make test` starts (LT_TEST_PG_URL). The backend comes from
// LT_TEST_BACKEND (sqlite | postgres).
#include <string>

namespace lt::test {

std::string backend();  // "sqlite" or "postgres"
// A new temporary folder (removed by the caller or left for inspection under /tmp on failure).
std::string temp_dir(const std::string& prefix);
// A URL to a fresh database: sqlite:<dir>/test.db, or a newly created PostgreSQL database.
std::string fresh_db_url(const std::string& dir);

}  // namespace lt::test
