#include "platform/http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace lt::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

class Session;

namespace {
std::vector<std::unique_ptr<asio::io_context>> make_contexts(int n) {
  std::vector<std::unique_ptr<asio::io_context>> v;
  for (int i = 0; i < std::max(1, n); ++i) v.push_back(std::make_unique<asio::io_context>(1));
  return v;
}
}  // namespace

// One io_context per network thread, each run by exactly one thread: a connection lives on one
// context, so its handlers never run concurrently and need no strand (no locking per operation).
// Context 0 also runs the acceptor, the signals and the shutdown timer.
struct Server::Impl {
  ServerOptions opts;
  Dispatcher& dispatcher;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  asio::io_context& ioc;  // contexts[0]
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;  // until shutdown completes
  size_t next_context = 0;
  asio::thread_pool workers;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::steady_timer grace_timer;
  std::atomic<bool> stopping{false};
  mutable std::mutex mu;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  std::function<void()> on_stop;

  Impl(ServerOptions o, Dispatcher& d)
      : opts(std::move(o)),
        dispatcher(d),
        contexts(make_contexts(opts.io_threads)),
        ioc(*contexts[0]),
        workers(static_cast<size_t>(opts.worker_threads)),
        acceptor(ioc),
        signals(ioc, SIGINT, SIGTERM),
        grace_timer(ioc) {
    for (auto& c : contexts) keep_running.push_back(asio::make_work_guard(*c));
  }
  void stop_all() {
    for (auto& c : contexts) c->stop();
  }

  void accept();
  void begin_shutdown();
  void check_done();
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, Server::Impl& srv) : stream_(std::move(s)), srv_(srv) {
    boost::system::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) client_ip_ = ep.address().to_string();
  }
  ~Session() {
    std::lock_guard g(srv_.mu);
    srv_.sessions.erase(this);
    if (srv_.stopping) asio::post(srv_.ioc, [&s = srv_] { s.check_done(); });
  }
  void start() {
    {
      std::lock_guard g(srv_.mu);
      srv_.sessions.emplace(this, weak_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_request(); });
  }
  // Called on shutdown: an idle connection closes now, a busy one after its response.
  void close_if_idle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->close();
    });
  }

 private:
  // Keep-alive wait: the first byte may take idle_timeout; then the whole header header_timeout.
  void wait_request() {
    if (srv_.stopping) return close();
    if (buf_.size() > 0) return read_header();
    stream_.expires_after(srv_.opts.idle_timeout);
    stream_.async_read_some(buf_.prepare(1024), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->close();
      self->buf_.commit(n);
      self->read_header();
    });
  }

  void read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(srv_.opts.header_limit));
    // No body limit while the header is parsed: the route's own limit is applied once it is known.
    parser_->body_limit(boost::none);
    stream_.expires_after(srv_.opts.header_timeout);
    bhttp::async_read_header(stream_, buf_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->on_header(ec);
    });
  }

  void on_header(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) return reject(431, "header_too_large", "Header quá lớn / Header too large");
    if (ec == bhttp::error::body_limit) return reject(413, "payload_too_large", "Nội dung quá lớn / Request body too large");
    if (ec) {
      if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
          ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
        return close();
      return reject(400, "bad_request", "Yêu cầu HTTP không hợp lệ / Malformed HTTP request");
    }
    auto& h = parser_->get();
    std::string path = "/";
    if (auto u = boost::urls::parse_origin_form(h.target()); u) path = u->path();
    size_t limit = srv_.dispatcher.body_limit(std::string(h.method_string()), path);
    if (auto len = parser_->content_length(); len && *len > limit)
      return reject(413, "payload_too_large", "Nội dung quá lớn / Request body too large");
    parser_->body_limit(limit);
    busy_ = true;  // from here the request is in flight: a graceful shutdown lets it finish
    stream_.expires_after(srv_.opts.body_timeout);
    bhttp::async_read(stream_, buf_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) return reject(413, "payload_too_large", "Nội dung quá lớn / Request body too large");
    if (ec == beast::error::timeout) return reject(408, "request_timeout", "Hết thời gian đọc yêu cầu / Request timeout");
    if (ec) {
      if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
          ec == asio::error::operation_aborted)
        return close();
      return reject(400, "bad_request", "Yêu cầu HTTP không hợp lệ / Malformed HTTP request");
    }
    auto msg = parser_->release();
    parser_.reset();
    keep_alive_ = msg.keep_alive();
    auto req = std::make_shared<Request>();
    req->method = std::string(msg.method_string());
    req->target = std::string(msg.target());
    auto u = boost::urls::parse_origin_form(msg.target());
    if (!u) return reject(400, "bad_request", "Đường dẫn không hợp lệ / Malformed request target");
    req->path = u->path();
    if (req->path.empty()) req->path = "/";
    for (auto p : u->params()) req->query.emplace(p.key, p.value);
    req->headers.reserve(16);
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req->headers.emplace_back(std::move(name), std::string(f.value()));
    }
    req->body = std::move(msg.body());
    req->client_ip = client_ip_;
    busy_ = true;
    // A non-blocking route (or a static file) runs here, on the network thread.
    if (srv_.dispatcher.runs_inline(req->method, req->path)) {
      Response res = srv_.dispatcher.dispatch(*req);
      write(res, req->method == "HEAD");
      return;
    }
    // The handler may block on the database: run it on the worker pool; keep the io_context alive.
    asio::post(srv_.workers, [self = shared_from_this(), req, work = asio::make_work_guard(stream_.get_executor())]() mutable {
      auto res = std::make_shared<Response>(self->srv_.dispatcher.dispatch(*req));
      bool head = req->method == "HEAD";
      asio::post(self->stream_.get_executor(), [self, res, head] { self->write(*res, head); });
    });
  }

  void write(Response& r, bool head) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    if (r.status != 304 && r.status != 204) res->set(bhttp::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->insert(k, v);
    bool ka = keep_alive_ && !r.close && !srv_.stopping;
    res->keep_alive(ka);
    if (head) {
      res->content_length(r.body.size());
    } else {
      res->body() = std::move(r.body);
      res->prepare_payload();
    }
    stream_.expires_after(srv_.opts.body_timeout);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res, ka](beast::error_code ec, size_t) {
      self->busy_ = false;
      if (ec) return self->close();
      if (!ka) return self->linger();
      self->wait_request();
    });
  }

  // Answers an error the parser found and closes the connection.
  void reject(int status, const char* code, const char* message) {
    busy_ = true;
    keep_alive_ = false;
    Request req;
    req.request_id = new_request_id();
    Response r = Response::error(status, code, message);
    r.set_header("X-Request-Id", req.request_id);
    r.close = true;
    spdlog::info("{{\"msg\":\"rejected\",\"request_id\":\"{}\",\"status\":{},\"code\":\"{}\",\"client\":\"{}\"}}",
                 req.request_id, status, code, client_ip_);
    write(r, false);
  }

  // Lingering close: stop sending, then read and discard what the client still sends (for at most
  // a second) so that closing with unread data does not reset the connection and destroy the
  // response the client has not read yet (an early 413 or 431).
  void linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    stream_.expires_after(std::chrono::seconds(1));
    drain();
  }
  void drain() {
    buf_.clear();
    stream_.async_read_some(buf_.prepare(16384), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->close();
      self->drain();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server::Impl& srv_;
  std::string client_ip_;
  bool busy_ = false;
  bool keep_alive_ = true;
};

void Server::Impl::accept() {
  asio::io_context& target = *contexts[next_context++ % contexts.size()];
  acceptor.async_accept(target, [this](beast::error_code ec, tcp::socket s) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) return;
      spdlog::warn("accept: {}", ec.message());
      return accept();
    }
    size_t n;
    {
      std::lock_guard g(mu);
      n = sessions.size();
    }
    if (n >= static_cast<size_t>(opts.max_connections)) {
      beast::error_code ignored;
      s.close(ignored);
    } else {
      std::make_shared<Session>(std::move(s), *this)->start();
    }
    accept();
  });
}

void Server::Impl::begin_shutdown() {
  if (stopping.exchange(true)) return;
  spdlog::info("shutting down: no new connections; finishing in-flight requests");
  if (on_stop) on_stop();
  beast::error_code ec;
  acceptor.close(ec);
  signals.cancel(ec);
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard g(mu);
    for (auto& [_, w] : sessions)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->close_if_idle();
  live.clear();
  grace_timer.expires_after(opts.shutdown_grace);
  grace_timer.async_wait([this](beast::error_code e) {
    if (!e) {
      spdlog::warn("shutdown grace period over: closing remaining connections");
      stop_all();
    }
  });
  check_done();
}

void Server::Impl::check_done() {
  std::lock_guard g(mu);
  if (stopping && sessions.empty()) {
    grace_timer.cancel();
    keep_running.clear();  // every context may now run out of work and return
  }
}

Server::Server(ServerOptions opts, Dispatcher& d) : impl_(std::make_unique<Impl>(std::move(opts), d)) {}

Server::~Server() {
  impl_->stop_all();
  impl_->workers.join();
}

uint16_t Server::listen() {
  auto& a = impl_->acceptor;
  tcp::endpoint ep(asio::ip::make_address(impl_->opts.address), impl_->opts.port);
  a.open(ep.protocol());
  a.set_option(asio::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen(asio::socket_base::max_listen_connections);
  return a.local_endpoint().port();
}

void Server::run(std::function<void()> on_stop) {
  impl_->on_stop = std::move(on_stop);
  impl_->signals.async_wait([this](beast::error_code ec, int) {
    if (!ec) impl_->begin_shutdown();
  });
  impl_->accept();
  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl_->contexts.size(); ++i) threads.emplace_back([this, i] { impl_->contexts[i]->run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
  impl_->workers.join();
}

void Server::stop() {
  asio::post(impl_->ioc, [this] { impl_->begin_shutdown(); });
}

size_t Server::connections() const {
  std::lock_guard g(impl_->mu);
  return impl_->sessions.size();
}

}  // namespace lt::http
