#pragma once
// Runs the real `lienthong` binary as a child process on a free port with its own data folder and
// database, and talks to it over HTTP — the way member systems and browsers do.
#include <boost/json.hpp>

#include <chrono>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "platform/http/client.hpp"

namespace lt::test {

struct Reply {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  boost::json::value json() const;  // parsed body (null if not JSON)
  std::string header(std::string_view lower) const;
  std::string error_code() const;   // body.error.code
  std::string error_field() const;  // body.error.field ("" for null)
};

class Server {
 public:
  struct Options {
    bool demo = true;
    std::map<std::string, std::string> env;  // extra LIENTHONG_* settings
    // Another server's database (with env LIENTHONG_DATA_DIR = its dir(), for the same master key
    // and files): a second node of one deployment.
    std::string db_url;
  };
  explicit Server(Options o);
  Server() : Server(Options{}) {}
  ~Server();

  void start();
  // Sends a signal and waits for exit; returns the exit status (or 128+signal).
  int stop(int sig = 15);
  bool running() const { return pid_ > 0; }
  void signal(int sig);  // without waiting
  int wait();            // waits for exit; returns the exit status (or 128+signal)
  void kill9() {
    signal(9);
    wait();
  }

  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  const std::string& db_url() const { return db_url_; }
  std::map<std::string, std::string>& env() { return opts_.env; }

  Reply call(const std::string& method, const std::string& target, const std::string& body = {},
             const std::vector<std::pair<std::string, std::string>>& headers = {});
  Reply get(const std::string& target, const std::string& token = {});
  Reply post(const std::string& target, const boost::json::value& body, const std::string& token = {});
  // Logs in; returns the token (fails the test on error).
  std::string login(const std::string& username, const std::string& password = "Demo@2025");

  // Runs `lienthong ARGS --db <this db>` with the same environment; returns the exit code.
  int cli(const std::vector<std::string>& args, std::string* out = nullptr, bool with_db = true);
  std::string log() const;  // stderr of the server so far

 private:
  std::vector<std::string> environment() const;
  Options opts_;
  std::string dir_, db_url_;
  int pid_ = 0;
  uint16_t port_ = 0;
  int starts_ = 0;
  std::unique_ptr<http::Client> client_;
};

// Raw TCP for tests that must control every byte and pause mid-request.
int connect_tcp(uint16_t port);  // -1 when refused
void send_all(int fd, const std::string& bytes);
std::string recv_all(int fd, std::chrono::milliseconds timeout);  // until close or timeout

}  // namespace lt::test
