#include "basalt/extension/extension_parts.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/object.hpp>

#include "basalt/api/request_auth.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/api/routes.hpp"
#include "basalt/core/api_error.hpp"

namespace basalt::extension {
namespace json = boost::json;
namespace {

api::Access access_of(RouteAuth auth) {
  switch (auth) {
    case RouteAuth::kGuest:
      return api::Access::kAny;
    case RouteAuth::kUser:
      return api::Access::kAnyAuthRecord;
    case RouteAuth::kSuperuser:
      return api::Access::kSuperuser;
  }
  return api::Access::kSuperuser;
}

bool applies(const std::string& registered, std::string_view collection) noexcept {
  return registered == "*" || registered == collection;
}

std::string describe(records::HookEvent event, std::string_view collection) {
  static constexpr std::string_view kNames[] = {"beforeCreate", "afterCreate",  "beforeUpdate",
                                                "afterUpdate",  "beforeDelete", "afterDelete",
                                                "afterList",    "afterView"};
  return std::string(kNames[static_cast<std::size_t>(event)]) + " hook of " +
         std::string(collection);
}

}  // namespace

void throw_api_error(const Error& error) {
  json::object data;
  for (const Error::FieldError& field : error.fields()) {
    data[field.name] = json::object{{"code", field.code}, {"message", field.message}};
  }
  throw core::ApiError(error.status(), error.what(), std::move(data));
}

std::vector<http::Route> App::Parts::attach(const api::Services& services) {
  backend.emplace(Backend{services.records, services.collections});
  for (const Cron& cron : crons) {
    // Checked at registration; a clash with a cron of the same id replaces it (as scripts').
    services.crons.add(cron.id, cron.expression, [this, &cron] { run_cron(cron); });
  }
  std::vector<http::Route> out;
  for (const Route& route : routes) {
    out.push_back(api::guarded_route(
        services, route.method, route.path, access_of(route.auth),
        [this, &route](const api::Services&, const auth::AuthContext& auth, http::Request& request,
                       http::Response& response) -> boost::asio::awaitable<void> {
          const records::Caller caller = api::caller_of(auth, request);
          json::object body;
          if (!request.body().empty()) {
            body = api::request_body(request).data;  // 400 for a body the decoder refuses
          }
          RouteRequest call{http::method_name(request.method()),
                            request.path(),
                            request,
                            body,
                            Caller(caller),
                            Records(*backend, caller, false),
                            Records(*backend, caller, true)};
          RouteResponse answer(response);
          try {
            co_await route.handler(call, answer);
          } catch (const Error& error) {
            throw_api_error(error);
          }
          if (!answer.answered()) response.content(204, "text/plain; charset=utf-8", "");
        }));
  }
  return out;
}

records::HookPort* App::Parts::hooks() noexcept {
  for (const std::vector<Hook>& hooks : hooks_by_event) {
    if (!hooks.empty()) return this;
  }
  return nullptr;
}

bool App::Parts::wants(records::HookEvent event, std::string_view collection) const noexcept {
  for (const Hook& hook : hooks_of(event)) {
    if (applies(hook.collection, collection)) return true;
  }
  return false;
}

boost::asio::awaitable<void> App::Parts::before_write(records::HookEvent event,
                                                      records::WriteHookContext context) {
  for (const Hook& hook : hooks_of(event)) {
    if (!applies(hook.collection, context.collection.name)) continue;
    RecordEvent call{context.collection.name,
                     context.id,
                     context.record,
                     context.original,
                     Caller(context.caller),
                     Records(*backend, context.caller, false),
                     Records(*backend, context.caller, true)};
    try {
      co_await hook.function(call);
    } catch (const Error& error) {
      throw_api_error(error);  // the write is refused with it; nothing was queued
    }
  }
}

boost::asio::awaitable<void> App::Parts::after_write(records::HookEvent event,
                                                     records::WriteHookContext context) {
  for (const Hook& hook : hooks_of(event)) {
    if (!applies(hook.collection, context.collection.name)) continue;
    RecordEvent call{context.collection.name,
                     context.id,
                     context.record,
                     nullptr,
                     Caller(context.caller),
                     Records(*backend, context.caller, false),
                     Records(*backend, context.caller, true)};
    // The write is committed: an error is logged and never undoes it.
    try {
      co_await hook.function(call);
    } catch (const Error& error) {
      spdlog::warn("extension: {} answered {} ({}) after the commit; the write stands",
                   describe(event, context.collection.name), error.status(), error.what());
    } catch (const std::exception& error) {
      spdlog::error("extension: {} failed after the commit: {}",
                    describe(event, context.collection.name), error.what());
    }
  }
}

boost::asio::awaitable<void> App::Parts::after_read(records::HookEvent, const records::Caller&,
                                                    const schema::Collection&,
                                                    std::vector<records::Record>&) {
  co_return;  // the extension API has no read hooks (wants() says so)
}

// On a job runner thread: the job's coroutine runs to completion on an io_context of its own
// (the record service resumes it there), never on a worker. A throw fails the run, which the
// scheduler logs and counts.
void App::Parts::run_cron(const Cron& cron) const {
  const records::Caller guest;
  CronContext context{cron.id, Records(*backend, guest, false), Records(*backend, guest, true)};
  boost::asio::io_context io;
  auto done = boost::asio::co_spawn(io, cron.job(context), boost::asio::use_future);
  io.run();
  done.get();
}

}  // namespace basalt::extension
