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

// What went wrong with a request, for callers that answer differently (a gateway: 502 vs 504).
class ClientError : public std::runtime_error {
 public:
  enum class Kind { connect, timeout, too_large, protocol };
  ClientError(Kind k, const std::string& msg) : std::runtime_error(msg), kind_(k) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

class Client {
 public:
  // `timeout` bounds the connect and each request (write and read); `max_response_bytes` the body.
  Client(std::string host, uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(30),
         size_t max_response_bytes = 256u << 20);
  ~Client();
  // Throws ClientError (a std::runtime_error) on connection failure, timeout, an answer over the
  // size limit or a malformed answer. Reconnects once if a kept-alive
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
