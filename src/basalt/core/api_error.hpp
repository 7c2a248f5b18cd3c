// ApiError: the one exception type that ends a request with a client-visible error.
//
// Services and handlers throw it; exactly one place (http::Dispatcher) catches it and writes
// the error JSON of the PocketBase contract (docs/api.md, "Errors"):
//   {"status":N,"message":"...","data":{...}}
// Anything else thrown becomes a 500 whose details stay in the log.
#pragma once

#include <boost/json/object.hpp>
#include <exception>
#include <string>
#include <string_view>

namespace basalt::core {

class ApiError : public std::exception {
 public:
  // `message` is shown to the client as is; `data` carries per-field details (may be empty).
  ApiError(int status, std::string message, boost::json::object data = {});

  // The status's default message (docs/api.md, "Errors"), e.g. 404 -> "The requested resource
  // wasn't found.".
  explicit ApiError(int status);

  static ApiError bad_request(std::string message = {}, boost::json::object data = {});
  static ApiError unauthorized(std::string message = {});
  static ApiError forbidden(std::string message = {});
  static ApiError not_found(std::string message = {});

  int status() const noexcept { return status_; }
  const std::string& message() const noexcept { return message_; }
  const boost::json::object& data() const noexcept { return data_; }
  // Seconds a client should wait before retrying (sent as Retry-After); 0 sends no header.
  int retry_after() const noexcept { return retry_after_; }
  ApiError& with_retry_after(int seconds) noexcept {
    retry_after_ = seconds;
    return *this;
  }
  const char* what() const noexcept override { return message_.c_str(); }

  // The error body as JSON text.
  std::string to_json() const;

 private:
  int status_;
  std::string message_;
  boost::json::object data_;
  int retry_after_ = 0;
};

// The default message for an HTTP status (docs/api.md, "Errors" for the statuses it names; a
// generic sentence otherwise). Never empty.
std::string_view default_error_message(int status) noexcept;

// Serializes an error body. `data` may be null, meaning `{}`.
std::string error_json(int status, std::string_view message,
                       const boost::json::object* data = nullptr);

}  // namespace basalt::core
