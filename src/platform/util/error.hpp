#pragma once
// ApiError: the one way a request fails with a client-visible error. The HTTP layer turns it into
// {"error": {"code", "message", "field"}} with `status`; anything else thrown becomes a 500.
#include <stdexcept>
#include <string>

namespace lt {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, std::string message, std::string field = {})
      : std::runtime_error(message), status_(status), code_(std::move(code)), field_(std::move(field)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& field() const { return field_; }

  static ApiError bad_request(std::string code, std::string msg, std::string field = {}) {
    return {400, std::move(code), std::move(msg), std::move(field)};
  }
  static ApiError not_found(std::string msg) { return {404, "not_found", std::move(msg)}; }
  static ApiError forbidden(std::string msg = "Không có quyền thực hiện / Forbidden") {
    return {403, "forbidden", std::move(msg)};
  }
  static ApiError unauthorized(std::string msg = "Chưa đăng nhập / Authentication required") {
    return {401, "unauthorized", std::move(msg)};
  }
  static ApiError conflict(std::string code, std::string msg, std::string field = {}) {
    return {409, std::move(code), std::move(msg), std::move(field)};
  }

 private:
  int status_;
  std::string code_;
  std::string field_;
};

}  // namespace lt
