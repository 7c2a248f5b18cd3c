#include "basalt/http/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <string>

#include "basalt/core/api_error.hpp"
#include "basalt/http/gzip.hpp"
#include "basalt/http/json_fields.hpp"
#include "basalt/http/request_id.hpp"
#include "basalt/http/request_metrics.hpp"

namespace basalt::http {
namespace {

// Replaces a 2xx JSON body with its projection. Errors (thrown or set) are never projected,
// as in PocketBase; neither is a body a handler has already encoded.
void project_fields(const FieldsSpec& fields, Response& response) {
  if (fields.empty() || response.file_body() || response.status() < 200 ||
      response.status() > 299 || response.content_type() != kJsonContentType ||
      !response.header("Content-Encoding").empty()) {
    return;
  }
  // assign() rather than a move keeps the connection's body buffer (see response.hpp).
  response.mutable_body().assign(project_json(response.body(), fields, response.list_envelope()));
}

}  // namespace

void set_error(Response& response, int status, std::string_view message) {
  response.json(
      status,
      core::error_json(status, message.empty() ? core::default_error_message(status) : message));
}

Dispatcher::Dispatcher(Router router, CorsPolicy cors, std::size_t gzip_min_bytes)
    : router_(std::move(router)), cors_(std::move(cors)), gzip_min_bytes_(gzip_min_bytes) {
  register_route_labels(router_);
}

boost::asio::awaitable<void> Dispatcher::handle(Request& request, Response& response) const {
  const RequestMeter meter;
  std::size_t slot = unmatched_slot(request.method());
  auto incoming_id = request.header(kRequestIdHeader);
  request.set_request_id(incoming_id && is_valid_request_id(*incoming_id)
                             ? std::string(*incoming_id)
                             : generate_request_id());
  // The boundary: an error thrown anywhere below replaces whatever the handler had written.
  std::exception_ptr unexpected;
  try {
    co_await route(request, response, slot);
  } catch (const core::ApiError& error) {
    request.note().error = error.what();
    response.reset();
    response.json(error.status(), error.to_json());
    if (error.retry_after() > 0)
      response.add_header("Retry-After", std::to_string(error.retry_after()));
  } catch (...) {
    unexpected = std::current_exception();
  }
  if (unexpected) {
    try {
      std::rethrow_exception(unexpected);
    } catch (const std::exception& error) {
      spdlog::error("request {} {} {} failed: {}", request.request_id(), request.method_text(),
                    request.path(), error.what());
    } catch (...) {
      spdlog::error("request {} {} {} failed with a non-standard exception", request.request_id(),
                    request.method_text(), request.path());
    }
    // The details stay in the process log; the request log names only the answer.
    request.note().error = core::default_error_message(500);
    response.reset();
    set_error(response, 500);
  }
  cors_.apply(request, response);
  compress(request, response);
  meter.finish(slot, response.status());
}

boost::asio::awaitable<void> Dispatcher::route(Request& request, Response& response,
                                               std::size_t& slot) const {
  if (cors_.answer_preflight(request, response)) co_return;
  RouteMatch match = router_.match(request.method(), request.path());
  if (!match.handler && !match.path_known && dynamic_) {
    RouteParams params;
    std::string allow;
    std::shared_ptr<const Handler> handler =
        dynamic_->match(request.method(), request.path(), params, allow);
    if (!handler && !allow.empty()) {
      match.path_known = true;
      match.allow = std::move(allow);
    }
    if (handler) {
      request.set_params(std::move(params));
      const FieldsSpec fields = parse_fields(fields_query_param(request.query()));
      if (interceptor_ && interceptor_->wants(request.method(), request.path())) {
        co_await interceptor_->before(request, response);
      }
      co_await (*handler)(request, response);
      project_fields(fields, response);
      co_return;
    }
  }
  if (!match.handler) {
    if (match.path_known) {
      response.add_header("Allow", match.allow);
      set_error(response, 405);
    } else {
      set_error(response, 404);
    }
    request.note().error = core::default_error_message(response.status());
    co_return;
  }
  slot = route_slot(match.index);
  request.set_params(std::move(match.params));
  const FieldsSpec fields = parse_fields(fields_query_param(request.query()));  // may throw 400
  if (interceptor_ && interceptor_->wants(request.method(), request.path())) {
    co_await interceptor_->before(request, response);
  }
  co_await (*match.handler)(request, response);
  project_fields(fields, response);
}

void Dispatcher::compress(const Request& request, Response& response) const {
  if (response.file_body() || response.body().size() < gzip_min_bytes_ ||
      response.content_type() != kJsonContentType || !response.header("Content-Encoding").empty()) {
    return;
  }
  auto accept = request.header("Accept-Encoding");
  if (!accept || !accepts_gzip(*accept)) return;
  std::string compressed;
  if (!gzip_compress(response.body(), compressed)) return;  // send it plain rather than fail
  response.mutable_body().swap(compressed);
  response.add_header("Content-Encoding", "gzip");
  response.add_header("Vary", "Accept-Encoding");
}

std::optional<UploadPlan> Dispatcher::upload_plan(Method method,
                                                  std::string_view path) const noexcept {
  try {
    RouteMatch match = router_.match(method, path);
    if (!match.handler) return std::nullopt;
    const Route& route = router_.route(match.index);
    if (!route.uploads) return std::nullopt;
    return route.uploads(match.params);
  } catch (const std::exception& error) {
    spdlog::warn("upload plan for {} failed: {}", path, error.what());
    return std::nullopt;
  }
}

}  // namespace basalt::http
