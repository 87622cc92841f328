#pragma once
#include <spdlog/logger.h>

#include <string>

namespace lt::log {

// Diagnostics go to stderr; the JSON access log to stdout (one object per line).
void init(const std::string& level, bool access_log);
spdlog::logger& access();

}  // namespace lt::log
