#include "support/server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/testdb.hpp"

extern char** environ;

namespace lt::test {

namespace bj = boost::json;

bj::value Reply::json() const {
  boost::system::error_code ec;
  auto v = bj::parse(body, ec);
  return ec ? bj::value(nullptr) : v;
}

std::string Reply::header(std::string_view lower) const {
  for (const auto& [k, v] : headers)
    if (k == lower) return v;
  return {};
}

std::string Reply::error_code() const {
  auto v = json();
  if (!v.is_object() || !v.as_object().contains("error")) return {};
  return std::string(v.at("error").at("code").as_string());
}

std::string Reply::error_field() const {
  auto v = json();
  if (!v.is_object() || !v.as_object().contains("error")) return {};
  const auto& f = v.at("error").at("field");
  return f.is_string() ? std::string(f.as_string()) : "";
}

Server::Server(Options o) : opts_(std::move(o)) {
  dir_ = temp_dir("srv");
  db_url_ = opts_.db_url.empty() ? fresh_db_url(dir_) : opts_.db_url;
  start();
}

Server::~Server() {
  if (pid_ > 0) stop();
}

std::vector<std::string> Server::environment() const {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string s(*e);
    auto eq = s.find('=');
    if (eq != std::string::npos && s.rfind("LIENTHONG_", 0) != 0) env[s.substr(0, eq)] = s.substr(eq + 1);
  }
  env["LIENTHONG_DATA_DIR"] = dir_;
  env["LIENTHONG_PASSWORD_HASH_COST"] = "min";
  env["LIENTHONG_OUTBOX_POLL_MS"] = "50";
  env["LIENTHONG_WORKER_THREADS"] = "4";
  env["LIENTHONG_DB_POOL"] = "4";
  env["LIENTHONG_WEB_DIR"] = dir_ + "/no-web";
  env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0";
  for (const auto& [k, v] : opts_.env) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

namespace {
int spawn(const std::vector<std::string>& argv, const std::vector<std::string>& envv, const std::string& out_file,
          const std::string& err_file) {
  int pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> a, e;
    for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    for (auto& s : envv) e.push_back(const_cast<char*>(s.c_str()));
    e.push_back(nullptr);
    ::execve(a[0], a.data(), e.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit(int pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}
}  // namespace

void Server::start() {
  std::string ready = dir_ + "/ready-" + std::to_string(starts_++);
  std::vector<std::string> argv = {LT_BINARY, "serve", "--port", "0", "--db", db_url_, "--ready-file", ready};
  if (opts_.demo) argv.push_back("--demo");
  pid_ = spawn(argv, environment(), dir_ + "/server.out", dir_ + "/server.err");
  for (int i = 0; i < 600; ++i) {
    if (std::filesystem::exists(ready)) {
      std::ifstream in(ready);
      int p = 0;
      in >> p;
      port_ = static_cast<uint16_t>(p);
      client_ = std::make_unique<http::Client>("127.0.0.1", port_);
      return;
    }
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      FAIL() << "server exited during start:\n" << log();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL() << "server did not become ready:\n" << log();
}

void Server::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int Server::wait() {
  if (pid_ <= 0) return -1;
  client_.reset();
  int rc = wait_exit(pid_);
  pid_ = 0;
  return rc;
}

int connect_tcp(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void send_all(int fd, const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

std::string recv_all(int fd, std::chrono::milliseconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

int Server::stop(int sig) {
  if (pid_ <= 0) return -1;
  client_.reset();
  ::kill(pid_, sig);
  int rc = wait_exit(pid_);
  pid_ = 0;
  return rc;
}

Reply Server::call(const std::string& method, const std::string& target, const std::string& body,
                   const std::vector<std::pair<std::string, std::string>>& headers) {
  auto r = client_->request(method, target, body, headers);
  return Reply{r.status, r.body, r.headers};
}

Reply Server::get(const std::string& target, const std::string& token) {
  std::vector<std::pair<std::string, std::string>> h;
  if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
  return call("GET", target, {}, h);
}

Reply Server::post(const std::string& target, const bj::value& body, const std::string& token) {
  std::vector<std::pair<std::string, std::string>> h;
  if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
  return call("POST", target, bj::serialize(body), h);
}

std::string Server::login(const std::string& username, const std::string& password) {
  auto r = post("/api/v1/auth/login", {{"username", username}, {"password", password}});
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return {};
  return std::string(r.json().at("token").as_string());
}

int Server::cli(const std::vector<std::string>& args, std::string* out, bool with_db) {
  std::vector<std::string> argv = {LT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  if (with_db) {
    argv.push_back("--db");
    argv.push_back(db_url_);
  }
  std::string out_file = dir_ + "/cli-" + std::to_string(::getpid()) + "-" + std::to_string(starts_++) + ".out";
  int pid = spawn(argv, environment(), out_file, dir_ + "/cli.err");
  int rc = wait_exit(pid);
  if (out) {
    std::ifstream in(out_file);
    out->assign(std::istreambuf_iterator<char>(in), {});
  }
  return rc;
}

std::string Server::log() const {
  std::ifstream in(dir_ + "/server.err");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  return s.size() > 4000 ? s.substr(s.size() - 4000) : s;
}

}  // namespace lt::test
