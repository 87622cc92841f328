#include "support/receiver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace lt::test {

std::string Received::header(std::string_view lower) const {
  for (const auto& [k, v] : headers)
    if (k == lower) return v;
  return {};
}

Receiver::Receiver() {
  ::signal(SIGPIPE, SIG_IGN);  // a client that hangs up mid-answer must not kill the test
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("receiver: cannot listen");
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { run(); });
}

Receiver::~Receiver() {
  stop_ = true;
  thread_.join();
  for (auto& t : connections_) t.join();
  ::close(listen_fd_);
}

void Receiver::run() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd >= 0) connections_.emplace_back([this, fd] { serve(fd); });
  }
}

// Serves one keep-alive connection (each on its own thread) until the peer closes it.
void Receiver::serve(int fd) {
  std::string buf;
  char chunk[65536];
  auto read_more = [&]() {
    pollfd p{fd, POLLIN, 0};
    int ready = 0;
    for (int waited = 0; waited < 30000 && !stop_ && (ready = ::poll(&p, 1, 100)) == 0; waited += 100) {
    }
    if (ready <= 0) return false;
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  };
  while (!stop_) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos)
      if (!read_more()) {
        ::close(fd);
        return;
      }
    Received r;
    std::string head = buf.substr(0, end);
    size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    r.method = first.substr(0, first.find(' '));
    r.target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
    size_t length = 0;
    for (size_t pos = line_end; pos != std::string::npos && pos < head.size();) {
      size_t next = head.find("\r\n", pos + 2);
      std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string k = line.substr(0, colon), v = line.substr(colon + 1);
        std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        v.erase(0, v.find_first_not_of(' '));
        if (k == "content-length") length = std::stoul(v);
        r.headers.emplace_back(k, v);
      }
      pos = next;
    }
    buf.erase(0, end + 4);
    while (buf.size() < length)
      if (!read_more()) {
        ::close(fd);
        return;
      }
    r.body = buf.substr(0, length);
    buf.erase(0, length);
    {
      std::lock_guard g(mu_);
      got_.push_back(std::move(r));
    }
    cv_.notify_all();
    if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
    std::string resp;
    bool close_after;
    {
      std::lock_guard g(mu_);
      close_after = !raw_.empty();
      resp = !raw_.empty() ? raw_
                           : "HTTP/1.1 " + std::to_string(status_.load()) + " X\r\nContent-Length: " + std::to_string(body_.size()) +
                                 "\r\nContent-Type: " + content_type_ + "\r\n\r\n" + body_;
    }
    if (::write(fd, resp.data(), resp.size()) < 0 || close_after) {
      ::close(fd);
      return;
    }
  }
  ::close(fd);
}

void Receiver::set_body(std::string body, std::string content_type) {
  std::lock_guard g(mu_);
  body_ = std::move(body);
  content_type_ = std::move(content_type);
  raw_.clear();
}

void Receiver::set_raw(std::string raw) {
  std::lock_guard g(mu_);
  raw_ = std::move(raw);
}

std::vector<Received> Receiver::requests() const {
  std::lock_guard g(mu_);
  return got_;
}

size_t Receiver::wait_for(size_t n, int timeout_ms) const {
  std::unique_lock lk(mu_);
  cv_.wait_for(lk, std::chrono::milliseconds(timeout_ms), [&] { return got_.size() >= n; });
  return got_.size();
}

}  // namespace lt::test
