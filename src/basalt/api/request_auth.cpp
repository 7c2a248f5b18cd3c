#include "basalt/api/request_auth.hpp"

#include "basalt/core/api_error.hpp"

namespace basalt::api {

boost::asio::awaitable<auth::AuthContext> request_auth(const Services& services,
                                                       const http::Request& request) {
  auto header = request.header("Authorization");
  if (!header || header->empty()) co_return auth::AuthContext{};
  co_return co_await services.authenticator.authenticate(*header, services.clock.now());
}

records::Caller caller_of(const auth::AuthContext& context, const http::Request& request) {
  records::Caller caller;
  caller.client_address = client_ip(request);
  if (context.is_guest()) return caller;
  caller.collection = context.collection.get();
  caller.record = context.record.get();
  return caller;
}

void require_access(Access access, const auth::AuthContext& context, const http::Request& request) {
  if (access == Access::kAny) return;
  if (context.refused_by_auth_rule && access == Access::kAuthRecord) {
    // A valid token whose record the collection's authRule now refuses: PocketBase answers its
    // auth responses (refresh) with this 403; every other route sees a guest.
    throw core::ApiError::forbidden(
        "The request doesn't satisfy the collection requirements to authenticate.");
  }
  if (context.is_guest()) {
    throw core::ApiError::unauthorized("The request requires valid record authorization token.");
  }
  if (access == Access::kAnyAuthRecord) return;
  const std::string_view collection = request.param("collection");
  const bool allowed = access == Access::kSuperuser ? context.is_superuser()
                                                    : context.collection->id == collection ||
                                                          context.collection->name == collection;
  if (!allowed) {
    throw core::ApiError::forbidden("The authorized record is not allowed to perform this action.");
  }
}

query::RequestInfo request_info(const http::Request& request, const QueryParams& params) {
  query::RequestInfo info;
  info.method = std::string(request.method_text());
  request.for_each_header([&](std::string_view name, std::string_view value) {
    std::string key = query::normalize_header_name(name);
    if (!info.headers.contains(key)) info.headers[key] = value;
  });
  for (const auto& [name, value] : params) info.query[name] = value;
  return info;
}

}  // namespace basalt::api
