#pragma once
// Prometheus text-format metrics: request counters and latency histograms per route, plus gauges
// sampled at scrape time (pool, outbox lag, …).
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

namespace lt::metrics {

class Registry {
 public:
  void observe_request(std::string_view method, std::string_view route, int status, double seconds);
  // A gauge whose value is read when /metrics is scraped.
  void gauge(std::string name, std::string help, std::function<double()> read);
  std::string render() const;

 private:
  static constexpr double kBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  static constexpr size_t kNB = sizeof(kBuckets) / sizeof(kBuckets[0]);
  struct Series {
    std::atomic<uint64_t> buckets[kNB + 1] = {};
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_us{0};
    std::map<int, std::atomic<uint64_t>> by_status;  // guarded by status_mu
    std::mutex status_mu;
  };
  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<Series>, std::less<>> series_;  // key: method + ' ' + route
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  std::vector<Gauge> gauges_;
};

}  // namespace lt::metrics
