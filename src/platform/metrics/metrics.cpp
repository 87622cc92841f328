#include "platform/metrics/metrics.hpp"

#include <cstdio>
#include <mutex>

namespace lt::metrics {

void Registry::observe_request(std::string_view method, std::string_view route, int status, double seconds) {
  std::string key;
  key.reserve(method.size() + route.size() + 1);
  key.append(method).append(" ").append(route);
  Series* s = nullptr;
  {
    std::shared_lock lk(mu_);
    if (auto it = series_.find(key); it != series_.end()) s = it->second.get();
  }
  if (!s) {
    std::unique_lock lk(mu_);
    auto& p = series_[key];
    if (!p) p = std::make_unique<Series>();
    s = p.get();
  }
  size_t b = 0;
  while (b < kNB && seconds > kBuckets[b]) ++b;
  s->buckets[b].fetch_add(1, std::memory_order_relaxed);
  s->count.fetch_add(1, std::memory_order_relaxed);
  s->sum_us.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  std::lock_guard g(s->status_mu);
  s->by_status[status].fetch_add(1, std::memory_order_relaxed);
}

void Registry::gauge(std::string name, std::string help, std::function<double()> read) {
  std::unique_lock lk(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

namespace {
std::string esc(std::string_view s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (c == '\n') {
      o += "\\n";
      continue;
    }
    o += c;
  }
  return o;
}
}  // namespace

std::string Registry::render() const {
  std::string out;
  char num[64];
  std::shared_lock lk(mu_);
  out += "# HELP lienthong_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE lienthong_http_requests_total counter\n";
  for (const auto& [key, s] : series_) {
    auto sp = key.find(' ');
    std::string labels = "method=\"" + esc(key.substr(0, sp)) + "\",route=\"" + esc(key.substr(sp + 1)) + "\"";
    std::lock_guard g(s->status_mu);
    for (const auto& [status, n] : s->by_status)
      out += "lienthong_http_requests_total{" + labels + ",status=\"" + std::to_string(status) + "\"} " +
             std::to_string(n.load()) + "\n";
  }
  out += "# HELP lienthong_http_request_duration_seconds Time from full request to response, by route.\n";
  out += "# TYPE lienthong_http_request_duration_seconds histogram\n";
  for (const auto& [key, s] : series_) {
    auto sp = key.find(' ');
    std::string labels = "method=\"" + esc(key.substr(0, sp)) + "\",route=\"" + esc(key.substr(sp + 1)) + "\"";
    uint64_t cum = 0;
    for (size_t i = 0; i <= kNB; ++i) {
      cum += s->buckets[i].load();
      if (i < kNB) std::snprintf(num, sizeof num, "%g", kBuckets[i]);
      out += "lienthong_http_request_duration_seconds_bucket{" + labels + ",le=\"" +
             (i < kNB ? std::string(num) : std::string("+Inf")) + "\"} " + std::to_string(cum) + "\n";
    }
    std::snprintf(num, sizeof num, "%.6f", static_cast<double>(s->sum_us.load()) / 1e6);
    out += "lienthong_http_request_duration_seconds_sum{" + labels + "} " + num + "\n";
    out += "lienthong_http_request_duration_seconds_count{" + labels + "} " + std::to_string(s->count.load()) + "\n";
  }
  for (const auto& g : gauges_) {
    out += "# HELP " + g.name + " " + g.help + "\n# TYPE " + g.name + " gauge\n";
    double v = 0;
    try {
      v = g.read();
    } catch (...) {
      v = -1;
    }
    std::snprintf(num, sizeof num, "%.6g", v);
    out += g.name + " " + num + "\n";
  }
  return out;
}

}  // namespace lt::metrics
