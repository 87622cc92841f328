#pragma once
// HTTP/1.1 server (Boost.Beast). Network threads only read and write; each complete request is
// handed to a separate worker pool, where handlers may block on the database.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "platform/http/dispatch.hpp"

namespace lt::http {

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8080;  // 0: any free port
  int io_threads = 2;
  int worker_threads = 64;
  size_t header_limit = 16 * 1024;
  std::chrono::milliseconds header_timeout{10000};  // whole header of a request (defeats slow-loris)
  std::chrono::milliseconds body_timeout{30000};    // whole body, and writing the response
  std::chrono::milliseconds idle_timeout{60000};    // keep-alive wait for the next request
  std::chrono::milliseconds shutdown_grace{20000};  // in-flight requests get this long to finish
  int max_connections = 50000;
};

class Server {
 public:
  Server(ServerOptions opts, Dispatcher& dispatcher);
  ~Server();
  // Binds and listens; returns the port.
  uint16_t listen();
  // Serves until SIGTERM/SIGINT or stop(); then stops accepting, lets in-flight requests finish,
  // closes idle connections and returns. on_stop runs once shutdown begins.
  void run(std::function<void()> on_stop = {});
  void stop();
  size_t connections() const;

  struct Impl;  // public only so the connection class in server.cpp can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lt::http
