#include "basalt/api/request_auth.hpp"

#include "basalt/core/api_error.hpp"

namespace basalt::api {

boost::asio::awaitable<auth::AuthContext> request_auth(const Services& services,
                                                       const http::Request& request) {
  auto header = request.header("Authorization");
  if (!header || header->empty()) co_return auth::AuthContext{};
  auto catalog = services.collections.catalog();
  auto find = [&catalog](std::string_view id) -> std::shared_ptr<const schema::Collection> {
    const schema::Collection* collection = catalog->find(id);
    if (!collection || collection->id != id) return nullptr;
    // Aliasing pointer: keeps the whole snapshot alive while the context holds the collection.
    return std::shared_ptr<const schema::Collection>(catalog, collection);
  };
  co_return co_await auth::authenticate(*header, services.database, find, services.clock.now());
}

std::string_view client_ip(const http::Request& request) {
  const std::string_view remote = request.remote_address();
  const auto colon = remote.rfind(':');
  return colon == std::string_view::npos ? remote : remote.substr(0, colon);
}

records::Caller caller_of(const auth::AuthContext& context, const http::Request& request) {
  records::Caller caller;
  caller.client_address = client_ip(request);
  if (context.is_guest()) return caller;
  caller.collection = context.collection.get();
  caller.record = &context.record;
  return caller;
}

void require_access(Access access, const auth::AuthContext& context, const http::Request& request) {
  if (access == Access::kAny) return;
  if (context.is_guest()) {
    throw core::ApiError::unauthorized("The request requires valid record authorization token.");
  }
  const std::string_view collection = request.param("collection");
  const bool allowed = access == Access::kSuperuser ? context.is_superuser()
                                                    : context.collection->id == collection ||
                                                          context.collection->name == collection;
  if (!allowed) {
    throw core::ApiError::forbidden("The authorized record is not allowed to perform this action.");
  }
}

}  // namespace basalt::api
