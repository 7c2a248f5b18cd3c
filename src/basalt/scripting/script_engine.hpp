// ScriptEngine: the Lua scripts of the hooks directory and their generations (docs/hooks.md).
//
// A generation is one successful load of the directory: its files, what they registered and
// the router of their custom routes. reload() (at start, then from the HooksWatcher's thread)
// reads the files and loads them into a scratch state on the calling thread; only a load that
// succeeds becomes the current generation, so a script with a syntax or runtime error at load
// is reported (file:line, in the log) and the previous generation keeps running.
//
// Each thread that runs scripts (the workers, the cron thread) has its own ScriptState per
// generation, built on that thread the first time it needs the new generation (states are
// single-threaded; nothing is posted between threads). A call holds its state by shared_ptr,
// so a reload never pulls a state from under a call suspended at a service call.
//
// Service calls of scripts (basalt.records.*, basalt.sql, basalt.http) go through the record
// service and the read connections with the caller's rules (or a superuser's, when asked):
// perform().
//
// Thread safety: reload() from one thread at a time; everything else from any thread.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/blocking_pool.hpp"
#include "basalt/db/database.hpp"
#include "basalt/http/router.hpp"
#include "basalt/records/caller.hpp"
#include "basalt/records/outbox_port.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/scripting/cron_registrar.hpp"
#include "basalt/scripting/lua_state.hpp"
#include "basalt/scripting/registrations.hpp"
#include "basalt/scripting/script_files.hpp"
#include "basalt/scripting/script_http.hpp"
#include "basalt/scripting/script_state.hpp"

namespace basalt::scripting {

inline constexpr std::size_t kMaxSqlRows = 1000;

struct EngineOptions {
  std::filesystem::path dir;  // the hooks directory
  LuaLimits limits;
  HttpLimits http;  // basalt.http.request
};

// The threads of basalt.http.request: a call blocks one of them, never a worker.
inline constexpr unsigned kHttpThreads = 4;
inline constexpr std::size_t kHttpQueue = 64;

// What scripts' service calls reach. Must outlive the engine.
struct ScriptServices {
  records::RecordService* records = nullptr;
  collections::CollectionService* collections = nullptr;  // the catalog (superuser calls)
  db::Database* database = nullptr;                       // basalt.sql, on the read pool
  // basalt.events.publish: rows appended in a write job of their own; `published` is called
  // after the commit (wakes the outbox dispatcher). Null: publishing answers 503.
  records::OutboxPort* outbox = nullptr;
  std::function<void()> published;
};

struct Generation : std::enable_shared_from_this<Generation> {
  std::uint64_t number = 0;
  std::shared_ptr<const ScriptFiles> files;
  Registrations registrations;
  // The custom routes, as a router whose handler of route i serves registrations.routes[i]
  // (built by the ScriptRoutes that asked for it; null without routes).
  std::shared_ptr<const http::Router> routes;

  // The hooks of `event` for `collection`, in registration order.
  std::vector<const HookRegistration*> hooks_for(records::HookEvent event,
                                                 std::string_view collection) const;
  std::vector<const AuthHookRegistration*> auth_hooks_for(AuthHookEvent event,
                                                          std::string_view collection) const;
};

class ScriptEngine {
 public:
  // Builds route handlers for a generation's custom routes (script_routes.hpp); set before
  // the first reload. Throws std::invalid_argument for a route it refuses (a clash).
  using RouteBuilder = std::function<std::shared_ptr<const http::Router>(const Generation&)>;

  ScriptEngine(EngineOptions options, ScriptHost host, ScriptServices services);
  ~ScriptEngine();
  ScriptEngine(const ScriptEngine&) = delete;
  ScriptEngine& operator=(const ScriptEngine&) = delete;

  void set_route_builder(RouteBuilder builder) { route_builder_ = std::move(builder); }

  // Where basalt.cron jobs are scheduled (cron_registrar.hpp); set before the first reload.
  // Without one, each generation's jobs are logged as not scheduled. A job runs on the
  // engine's own cron thread (started with the registrar), as a guest, with its own state.
  void set_cron_registrar(CronRegistrar* registrar);

  // Runs cron job `id` of the current generation on the cron thread; returns at once.
  void run_cron(const std::string& id);

  // Loads the directory again. True when a new generation is current; false when the load
  // failed (logged, the current generation stays) — `error` then holds the message.
  bool reload(std::string* error = nullptr);

  std::shared_ptr<const Generation> current() const;
  bool wants(records::HookEvent event, std::string_view collection) const noexcept;
  bool wants_auth_hook(AuthHookEvent event, std::string_view collection) const noexcept;
  // Whether a middleware of the current generation matches (one atomic load when none).
  bool wants_middleware(http::Method method, std::string_view path) const noexcept;

  // Runs registered function `function` of `generation` on this thread's state with
  // `argument`, service calls made as `caller` (must outlive the call). See ScriptState::call.
  boost::asio::awaitable<CallOutput> call(std::shared_ptr<const Generation> generation,
                                          int function, boost::json::value argument,
                                          const records::Caller& caller, std::string what);
  // The same with an argument that pushes and reads itself (the hooks' events): the
  // function's first return value. `generation`, `argument`, `caller` and `site` must outlive
  // the call.
  boost::asio::awaitable<boost::json::value> call(const Generation& generation, int function,
                                                  CallArgument& argument,
                                                  const records::Caller& caller, CallSite site);

  const EngineOptions& options() const noexcept { return options_; }

  // Fails queued basalt.http calls with 503, waits for running ones (each bounded by its
  // timeout), then stops the cron thread. Call it while the workers' io_contexts still exist
  // (the pool posts its completions there); the destructor calls it too. Idempotent.
  void shutdown();

 private:
  std::shared_ptr<ScriptState> state_for(const Generation& generation);
  boost::asio::awaitable<boost::json::value> perform(const ServiceRequest& request,
                                                     const records::Caller& caller);
  boost::asio::awaitable<boost::json::value> run_sql(const ServiceRequest& request);
  boost::asio::awaitable<boost::json::value> run_http(const ServiceRequest& request);
  boost::asio::awaitable<boost::json::value> publish(const ServiceRequest& request);
  void schedule_crons(const Generation& previous, const Generation& generation);

  struct CronThread;  // an io_context and its thread (script_engine.cpp)

  const std::uint64_t serial_;  // tells this engine's thread-local states from another's
  EngineOptions options_;
  ScriptHost host_;
  ScriptServices services_;
  RouteBuilder route_builder_;
  std::uint64_t next_generation_ = 1;  // reload()'s thread only
  mutable std::mutex mutex_;           // guards current_ (held for a pointer copy only)
  std::shared_ptr<const Generation> current_;
  // Bit e set: the current generation has a record hook of HookEvent e (any collection); the
  // lock-free first test of wants(), so an event nobody hooks costs one load.
  std::atomic<std::uint32_t> hooked_events_{0};
  std::atomic<bool> any_middleware_{false};
  std::atomic<bool> any_auth_hooks_{false};
  CronRegistrar* crons_ = nullptr;
  // basalt.http.request's blocking calls (kHttpThreads; past kHttpQueue waiting: 503); counted
  // in the metrics under pool="blocking" (docs/hooks.md).
  core::BlockingPool http_pool_{{kHttpThreads, kHttpQueue, metrics::Pool::kBlocking}};
  std::unique_ptr<CronThread> cron_thread_;  // last member: stopped first
};

}  // namespace basalt::scripting
