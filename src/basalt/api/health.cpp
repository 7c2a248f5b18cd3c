#include "basalt/api/health.hpp"

namespace basalt::api {

boost::asio::awaitable<void> health(http::Request&, http::Response& response) {
  // Note `code`, not `status`: the health body predates PocketBase's error format change.
  response.json(200, R"({"message":"API is healthy.","code":200,"data":{}})");
  co_return;
}

}  // namespace basalt::api
