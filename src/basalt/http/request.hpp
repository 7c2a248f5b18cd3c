// Request: what a handler sees of one HTTP request. It is a view over the parser's message,
// valid only while the handler runs; copy what must outlive it.
//
// Beast stays out of this header on purpose so handler files compile fast; the message type is
// only named in connection.cpp and request.cpp.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "basalt/http/method.hpp"
#include "basalt/http/request_observer.hpp"

namespace basalt::http {

struct RequestMessage;
class UploadSpool;  // wraps Beast's request<string_body>; defined in request_message.hpp

class Request {
 public:
  Request(const RequestMessage& message, const std::string& remote_address);

  Method method() const noexcept { return method_; }
  std::string_view method_text() const noexcept;              // as sent, e.g. "GET" or "PROPFIND"
  std::string_view target() const noexcept;                   // path and query, as sent
  std::string_view path() const noexcept { return path_; }    // target before '?'
  std::string_view query() const noexcept { return query_; }  // after '?', without it; raw
  std::string_view body() const noexcept;                     // empty when the body was spooled
  // The spooled multipart body of a route with an UploadPlan (upload_spool.hpp), or null.
  UploadSpool* upload_spool() const noexcept;

  // The first value of a header (case-insensitive name), if present.
  std::optional<std::string_view> header(std::string_view name) const;
  // Calls `visit(name, value)` for every header line, in the order received.
  void for_each_header(
      const std::function<void(std::string_view name, std::string_view value)>& visit) const;

  // A path parameter of the matched route ("{id}" -> "id"), percent-decoded; empty if absent.
  std::string_view param(std::string_view name) const noexcept;
  void set_params(std::vector<std::pair<std::string, std::string>> params) {
    params_ = std::move(params);
  }

  const std::string& remote_address() const noexcept { return remote_address_; }
  const std::string& request_id() const noexcept { return request_id_; }
  void set_request_id(std::string id) { request_id_ = std::move(id); }

  // The client's address as the API counts it (api/client_address.hpp): set once by the route
  // wrapper from settings.trustedProxy; empty until then.
  const std::string& client_ip() const noexcept { return client_ip_; }
  void set_client_ip(std::string ip) { client_ip_ = std::move(ip); }

  // What the layers above http note for the request observer (request_observer.hpp).
  RequestNote& note() noexcept { return note_; }
  const RequestNote& note() const noexcept { return note_; }

 private:
  const RequestMessage& message_;
  const std::string& remote_address_;
  Method method_;
  std::string_view path_;
  std::string_view query_;
  std::string request_id_;
  std::string client_ip_;
  RequestNote note_;
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace basalt::http
