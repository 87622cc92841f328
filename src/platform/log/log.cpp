#include "platform/log/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace lt::log {

namespace {
std::shared_ptr<spdlog::logger>& access_ptr() {
  static std::shared_ptr<spdlog::logger> l;
  return l;
}
}  // namespace

void init(const std::string& level, bool access_log) {
  auto err = spdlog::stderr_logger_mt("lienthong");
  err->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  err->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(err);
  auto acc = spdlog::stdout_logger_mt("access");
  acc->set_pattern("{\"ts\":\"%Y-%m-%dT%H:%M:%S.%eZ\",%v", spdlog::pattern_time_type::utc);
  acc->set_level(access_log ? spdlog::level::info : spdlog::level::off);
  acc->flush_on(spdlog::level::warn);
  spdlog::flush_every(std::chrono::seconds(1));
  access_ptr() = acc;
}

spdlog::logger& access() {
  auto& p = access_ptr();
  if (!p) {
    p = spdlog::stdout_logger_mt("access");
    p->set_pattern("{\"ts\":\"%Y-%m-%dT%H:%M:%S.%eZ\",%v", spdlog::pattern_time_type::utc);
  }
  return *p;
}

}  // namespace lt::log
