#pragma once
// A small blocking HTTP/1.1 client (plain TCP) with keep-alive, for tests, tools and outbound
// deliveries. Not for the request path of the server's network threads.
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lt::http {

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string header(std::string_view lower_name) const;
};

class Client {
 public:
  Client(std::string host, uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~Client();
  // Throws std::runtime_error on connection failure or timeout. Reconnects once if a kept-alive
  // connection was closed by the server.
  ClientResponse request(const std::string& method, const std::string& target, const std::string& body = {},
                         const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Sends raw bytes on a fresh connection and returns what comes back until the server closes
  // (or the timeout): for tests of malformed requests.
  static std::string raw(const std::string& host, uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lt::http
