#pragma once
// A real HTTP server for tests of outbound deliveries (portal synchronisation, webhooks): it listens
// on a free port, answers every request with a chosen status, and keeps every request it received.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lt::test {

struct Received {
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string header(std::string_view lower) const;
};

class Receiver {
 public:
  Receiver();
  ~Receiver();
  uint16_t port() const { return port_; }
  void set_status(int status) { status_ = status; }
  // What the next answers are: a body (JSON by default), a delay before answering, or raw bytes
  // sent instead of an HTTP answer (then the connection closes).
  void set_body(std::string body, std::string content_type = "application/json");
  void set_delay_ms(int ms) { delay_ms_ = ms; }
  void set_raw(std::string raw);
  std::vector<Received> requests() const;
  // Waits until at least `n` requests arrived (or the timeout); returns how many did.
  size_t wait_for(size_t n, int timeout_ms = 10000) const;

 private:
  void run();
  void serve(int fd);
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> status_{200};
  std::atomic<int> delay_ms_{0};
  std::string body_ = "{}", content_type_ = "application/json", raw_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<Received> got_;
  std::thread thread_;
  std::vector<std::thread> connections_;  // touched by the accept thread only, joined at the end
};

}  // namespace lt::test
