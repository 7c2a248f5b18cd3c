// App::Parts: what an extension registered (extension/app.hpp), and how it plugs into `serve`
// through the composition root's seam (app/serve_extension.hpp): its routes behind the API's
// wrapper (api::guarded_route), its hooks as a records::HookPort (run before the scripts',
// app/hook_chain.hpp), its crons on the durable scheduler.
//
// Threads: the registrations are filled on the main thread before run() and never change
// afterwards, so every worker reads them without locks. `backend` is set by attach() on the main
// thread before any request is served or any cron registered.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "basalt/app/serve_extension.hpp"
#include "basalt/collections/collection_service.hpp"
#include "basalt/extension/app.hpp"
#include "basalt/http/method.hpp"
#include "basalt/records/hook_port.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::extension {

struct Backend {
  records::RecordService& records;
  collections::CollectionService& collections;
};

// The core::ApiError the client gets for an extension's Error.
[[noreturn]] void throw_api_error(const Error& error);

struct App::Parts final : app::ServeExtension, records::HookPort {
  struct Hook {
    std::string collection;  // "*": every collection
    RecordHook function;
  };
  struct Route {
    http::Method method;
    std::string path;
    RouteAuth auth;
    RouteHandler handler;
  };
  struct Cron {
    std::string id;
    std::string expression;
    CronJob job;
  };

  static constexpr std::size_t kEvents =
      static_cast<std::size_t>(records::HookEvent::kAfterView) + 1;
  std::array<std::vector<Hook>, kEvents> hooks_by_event;
  std::vector<Route> routes;
  std::vector<Cron> crons;
  bool started = false;  // run() was called: no registration any more
  std::optional<Backend> backend;

  // app::ServeExtension
  std::vector<http::Route> attach(const api::Services& services) override;
  records::HookPort* hooks() noexcept override;

  // records::HookPort
  bool wants(records::HookEvent event, std::string_view collection) const noexcept override;
  boost::asio::awaitable<void> before_write(records::HookEvent event,
                                            records::WriteHookContext context) override;
  boost::asio::awaitable<void> after_write(records::HookEvent event,
                                           records::WriteHookContext context) override;
  boost::asio::awaitable<void> after_read(records::HookEvent event, const records::Caller& caller,
                                          const schema::Collection& collection,
                                          std::vector<records::Record>& records) override;

 private:
  void run_cron(const Cron& cron) const;
  const std::vector<Hook>& hooks_of(records::HookEvent event) const noexcept {
    return hooks_by_event[static_cast<std::size_t>(event)];
  }
};

}  // namespace basalt::extension
