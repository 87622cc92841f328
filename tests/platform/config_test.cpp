#include "platform/config/config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

using lt::config::Config;

TEST(Config, FileThenEnvironmentThenFlags) {
  auto path = std::filesystem::temp_directory_path() / ("lt-config-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << "port = 9000\ndb = \"sqlite:/tmp/x.db\"\naccess_log = false\nworker_threads = 3\n";
  ::setenv("LIENTHONG_WORKER_THREADS", "5", 1);
  Config c;
  c.load_file(path.string());
  c.load_env();
  c.set("db", "postgresql://u:secret@h/db");  // a flag
  EXPECT_EQ(c.port, 9000);
  EXPECT_FALSE(c.access_log);
  EXPECT_EQ(c.worker_threads, 5);
  EXPECT_EQ(c.db, "postgresql://u:secret@h/db");
  std::string shown = c.show();
  EXPECT_EQ(shown.find("secret"), std::string::npos) << shown;
  EXPECT_NE(shown.find("postgresql://u:***@h/db"), std::string::npos) << shown;
  ::unsetenv("LIENTHONG_WORKER_THREADS");
  std::filesystem::remove(path);
}

TEST(Config, RejectsUnknownKeysAndBadValues) {
  Config c;
  EXPECT_THROW(c.set("no_such_key", "1"), std::invalid_argument);
  EXPECT_THROW(c.set("port", "80x"), std::invalid_argument);
  EXPECT_THROW(c.set("hsts", "maybe"), std::invalid_argument);
}
