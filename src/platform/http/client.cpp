#include "platform/http/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <stdexcept>

namespace lt::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

std::string ClientResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

struct Client::Impl {
  std::string host;
  uint16_t port;
  std::chrono::milliseconds timeout;
  size_t max_body = 256u << 20;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buf;

  void connect();
};

Client::Client(std::string host, uint16_t port, std::chrono::milliseconds timeout, size_t max_response_bytes)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
  impl_->max_body = max_response_bytes;
}

Client::~Client() = default;

namespace {
// Synchronous operations with a deadline: run the async op and the io_context until it completes.
template <class Op>
beast::error_code run_with_timeout(asio::io_context& ioc, Op op) {
  beast::error_code result;
  bool done = false;
  op([&](beast::error_code ec, size_t) {
    result = ec;
    done = true;
  });
  ioc.restart();
  while (!done && ioc.run_one()) {
  }
  return result;
}
ClientError::Kind kind_of(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return ClientError::Kind::timeout;
  if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) return ClientError::Kind::too_large;
  return ClientError::Kind::protocol;
}
ClientResponse to_client_response(bhttp::response<bhttp::string_body>&& res) {
  ClientResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  out.body = std::move(res.body());
  return out;
}
}  // namespace

void Client::Impl::connect() {
  stream.emplace(ioc);
  tcp::resolver r(ioc);
  beast::error_code ec;
  auto endpoints = r.resolve(host, std::to_string(port), ec);
  if (ec) throw ClientError(ClientError::Kind::connect, "resolve " + host + ": " + ec.message());
  stream->expires_after(timeout);
  ec = run_with_timeout(ioc, [&](auto h) { stream->async_connect(endpoints, [h](beast::error_code e, const tcp::endpoint&) { h(e, 0); }); });
  if (ec) {
    stream.reset();
    throw ClientError(ec == beast::error::timeout ? ClientError::Kind::timeout : ClientError::Kind::connect,
                      "connect " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  // Requests and answers are small and synchronous: no Nagle delay behind an unacknowledged segment.
  stream->socket().set_option(tcp::no_delay(true), ec);
  buf.clear();
}

ClientResponse Client::request(const std::string& method, const std::string& target, const std::string& body,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = false;
    if (!impl_->stream) {
      impl_->connect();
      fresh = true;
    }
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(bhttp::field::host, impl_->host + ":" + std::to_string(impl_->port));
    bool has_ct = false;
    for (const auto& [k, v] : headers) {
      req.insert(k, v);
      has_ct |= beast::iequals(k, "content-type");
    }
    if (!body.empty() && !has_ct) req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    auto& s = *impl_->stream;
    s.expires_after(impl_->timeout);
    auto ec = run_with_timeout(impl_->ioc, [&](auto h) { bhttp::async_write(s, req, h); });
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(impl_->max_body);
    parser.header_limit(1024 * 1024);
    if (method == "HEAD") parser.skip(true);
    // A server may answer early (413) and close while the body is still being sent: read anyway.
    bool write_failed = static_cast<bool>(ec);
    if (!ec || ec == asio::error::broken_pipe || ec == asio::error::connection_reset)
      ec = run_with_timeout(impl_->ioc, [&](auto h) { bhttp::async_read(s, impl_->buf, parser, h); });
    if (write_failed && !ec) {
      impl_->stream.reset();
      return to_client_response(parser.release());
    }
    if (ec) {
      impl_->stream.reset();
      if (!fresh && attempt == 0 && ec != beast::error::timeout) continue;  // stale keep-alive connection
      throw ClientError(kind_of(ec), "HTTP " + method + " " + target + ": " + ec.message());
    }
    auto res = parser.release();
    if (!res.keep_alive()) impl_->stream.reset();
    return to_client_response(std::move(res));
  }
  throw std::runtime_error("unreachable");
}

std::string Client::raw(const std::string& host, uint16_t port, const std::string& bytes,
                        std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream s(ioc);
  tcp::resolver r(ioc);
  s.expires_after(timeout);
  s.connect(r.resolve(host, std::to_string(port)));
  s.expires_after(timeout);
  auto ec = run_with_timeout(ioc, [&](auto h) { asio::async_write(s, asio::buffer(bytes), h); });
  std::string out;
  if (ec && ec != asio::error::broken_pipe && ec != asio::error::connection_reset) return out;
  char chunk[4096];
  for (;;) {
    size_t got = 0;
    ec = run_with_timeout(ioc, [&](auto h) {
      s.async_read_some(asio::buffer(chunk), [&got, h](beast::error_code e, size_t n) mutable {
        got = n;
        h(e, n);
      });
    });
    out.append(chunk, got);
    if (ec) break;
  }
  return out;
}

}  // namespace lt::http
