#include "basalt/http/request.hpp"

#include "basalt/http/request_message.hpp"

namespace basalt::http {
namespace {

std::string_view as_view(boost::beast::string_view s) {
  return {s.data(), s.size()};
}

}  // namespace

Request::Request(const RequestMessage& message, const std::string& remote_address)
    : message_(message), remote_address_(remote_address) {
  const auto& m = message_.message;
  method_ = method_from_name(as_view(m.method_string()));
  std::string_view target = as_view(m.target());
  auto q = target.find('?');
  path_ = target.substr(0, q);
  if (q != std::string_view::npos) query_ = target.substr(q + 1);
}

std::string_view Request::method_text() const noexcept {
  return as_view(message_.message.method_string());
}

std::string_view Request::target() const noexcept {
  return as_view(message_.message.target());
}

std::string_view Request::body() const noexcept {
  return message_.message.body();
}

UploadSpool* Request::upload_spool() const noexcept {
  return message_.upload_spool.get();
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  const auto& fields = message_.message.base();
  auto it = fields.find(boost::beast::string_view(name.data(), name.size()));
  if (it == fields.end()) return std::nullopt;
  return as_view(it->value());
}

void Request::for_each_header(
    const std::function<void(std::string_view name, std::string_view value)>& visit) const {
  for (const auto& field : message_.message.base()) {
    visit(as_view(field.name_string()), as_view(field.value()));
  }
}

std::string_view Request::param(std::string_view name) const noexcept {
  for (const auto& [key, value] : params_) {
    if (key == name) return value;
  }
  return {};
}

}  // namespace basalt::http
