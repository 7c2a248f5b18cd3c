#include "basalt/scripting/script_engine.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <thread>
#include <unordered_map>

#include "basalt/core/api_error.hpp"
#include "basalt/db/dialect.hpp"
#include "basalt/events/custom_events.hpp"
#include "basalt/records/record_export.hpp"

namespace basalt::scripting {
namespace json = boost::json;
namespace {

std::atomic<std::uint64_t> engine_serials{1};

// This thread's states, per engine (by serial): the generation each was built from. A process
// has one engine (tests a few), so a short list searched in order is the cheapest lookup.
struct ThreadState {
  std::uint64_t engine = 0;
  std::uint64_t generation = 0;
  std::shared_ptr<ScriptState> state;
};
thread_local std::vector<ThreadState> thread_states;

ThreadState& thread_state(std::uint64_t engine) {
  for (ThreadState& slot : thread_states) {
    if (slot.engine == engine) return slot;
  }
  return thread_states.emplace_back(ThreadState{.engine = engine});
}

// The auth record scripts' superuser calls borrow (superusers bypass every rule, so only its
// id is ever read).
const json::object& script_superuser_record() {
  static const json::object record{{"id", ""}};
  return record;
}

json::object exported(const records::Caller& caller, const records::Record& record) {
  return records::export_record(*record.collection, record.values,
                                records::Visibility{caller.is_superuser(), record.email_visible});
}

std::int64_t int_option(const json::object& options, std::string_view key, std::int64_t fallback) {
  const json::value* value = options.if_contains(key);
  if (!value) return fallback;
  if (value->is_int64()) return value->get_int64();
  if (value->is_double()) return static_cast<std::int64_t>(value->get_double());
  return fallback;
}

std::string text_option(const json::object& options, std::string_view key) {
  const json::value* value = options.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

json::object object_or_empty(const json::value& value, std::string_view what) {
  if (value.is_null()) return {};
  if (!value.is_object())
    throw core::ApiError::bad_request(std::string(what) + " must be a table of fields");
  return value.get_object();
}

db::Value sql_param(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      return nullptr;
    case json::kind::bool_:
      return std::int64_t{value.get_bool() ? 1 : 0};
    case json::kind::int64:
      return value.get_int64();
    case json::kind::uint64:
      return static_cast<double>(value.get_uint64());
    case json::kind::double_:
      return value.get_double();
    case json::kind::string:
      return std::string(value.get_string());
    default:
      break;
  }
  throw core::ApiError::bad_request(
      "basalt.sql: parameters must be strings, numbers, booleans or nil");
}

json::value sql_cell(const db::Value& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) return *number;
  if (const auto* real = std::get_if<double>(&value)) return *real;
  if (const auto* text = std::get_if<std::string>(&value)) return json::string(*text);
  if (const auto* blob = std::get_if<db::Blob>(&value)) return json::string(blob->bytes);
  return nullptr;
}

// Scripts write every parameter as `?`; the database's own spelling replaces each one outside
// string literals and quoted identifiers ("?1" on SQLite, "$1" on PostgreSQL).
std::string with_placeholders(std::string_view text, const db::Dialect& dialect) {
  std::string out;
  out.reserve(text.size() + 16);
  std::size_t next = 1;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += dialect.placeholder(next++);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::vector<const HookRegistration*> Generation::hooks_for(records::HookEvent event,
                                                           std::string_view collection) const {
  std::vector<const HookRegistration*> out;
  for (const HookRegistration& hook : registrations.hooks) {
    if (hook.applies(event, collection)) out.push_back(&hook);
  }
  return out;
}

std::vector<const AuthHookRegistration*> Generation::auth_hooks_for(
    AuthHookEvent event, std::string_view collection) const {
  std::vector<const AuthHookRegistration*> out;
  for (const AuthHookRegistration& hook : registrations.auth_hooks) {
    if (hook.event == event && (hook.collection.empty() || hook.collection == collection)) {
      out.push_back(&hook);
    }
  }
  return out;
}

ScriptEngine::ScriptEngine(EngineOptions options, ScriptHost host, ScriptServices services)
    : serial_(engine_serials.fetch_add(1)),
      options_(std::move(options)),
      host_(std::move(host)),
      services_(services) {}

struct ScriptEngine::CronThread {
  boost::asio::io_context context;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
      context.get_executor()};
  std::thread thread{[this] { context.run(); }};
  ~CronThread() {
    work.reset();
    context.stop();  // a job suspended at a service call is abandoned at shutdown
    thread.join();
  }
};

ScriptEngine::~ScriptEngine() {
  shutdown();
}

void ScriptEngine::shutdown() {
  http_pool_.shutdown();  // its completions may go to the cron thread: that one stops after
  cron_thread_.reset();
}

void ScriptEngine::set_cron_registrar(CronRegistrar* registrar) {
  crons_ = registrar;
  if (crons_ && !cron_thread_) cron_thread_ = std::make_unique<CronThread>();
}

void ScriptEngine::schedule_crons(const Generation& previous, const Generation& generation) {
  for (const CronRegistration& cron : generation.registrations.crons) {
    if (!crons_) {
      spdlog::warn(
          "hooks: cron job '{}' ({}, {}) is not scheduled: no job scheduler is wired "
          "in this build",
          cron.id, cron.expression, cron.origin);
      continue;
    }
    if (!crons_->add(cron.id, cron.expression, [this, id = cron.id] { run_cron(id); })) {
      spdlog::error("hooks: cron job '{}' ({}, '{}') is not scheduled (the reason is logged above)",
                    cron.id, cron.origin, cron.expression);
    }
  }
  if (!crons_) return;
  for (const CronRegistration& old : previous.registrations.crons) {
    const auto& now = generation.registrations.crons;
    const bool kept = std::any_of(now.begin(), now.end(),
                                  [&old](const CronRegistration& c) { return c.id == old.id; });
    if (!kept) crons_->remove(old.id);
  }
}

void ScriptEngine::run_cron(const std::string& id) {
  if (!cron_thread_) return;  // (a scheduler calls only while the engine runs)
  boost::asio::co_spawn(
      cron_thread_->context,
      [this, id]() -> boost::asio::awaitable<void> {
        std::shared_ptr<const Generation> generation = current();
        if (!generation) co_return;
        for (const CronRegistration& cron : generation->registrations.crons) {
          if (cron.id != id) continue;
          const records::Caller guest;
          try {
            const std::string what = "cron job " + id;
            json::value argument = json::object();
            co_await call(generation, cron.function, std::move(argument), guest, what);
          } catch (const std::exception& error) {
            spdlog::warn("hooks: cron job '{}' ended with: {}", id, error.what());
          }
        }
      },
      boost::asio::detached);
}

bool ScriptEngine::reload(std::string* error) {
  auto generation = std::make_shared<Generation>();
  try {
    generation->files = std::make_shared<const ScriptFiles>(read_script_files(options_.dir));
    // The scratch load: registrations, and proof that every script loads.
    ScriptState scratch(generation->files, options_.limits, host_);
    generation->registrations = scratch.registrations();
    if (!generation->registrations.routes.empty() && route_builder_) {
      generation->routes = route_builder_(*generation);
    }
  } catch (const std::exception& failure) {
    spdlog::error("hooks: {} not loaded, the previous version keeps running: {}",
                  options_.dir.string(), failure.what());
    if (error) *error = failure.what();
    return false;
  }
  generation->number = next_generation_++;
  const Registrations& loaded = generation->registrations;
  std::shared_ptr<const Generation> previous;
  {
    std::lock_guard lock(mutex_);
    previous = std::exchange(current_, generation);
    std::uint32_t hooked = 0;
    for (const HookRegistration& hook : loaded.hooks) hooked |= 1u << static_cast<int>(hook.event);
    hooked_events_.store(hooked, std::memory_order_release);
    any_middleware_.store(!loaded.middleware.empty(), std::memory_order_release);
    any_auth_hooks_.store(!loaded.auth_hooks.empty(), std::memory_order_release);
  }
  // Logged once current: a reader of the log may rely on the new version answering.
  spdlog::info(
      "hooks: loaded {} script(s) from {}: {} hook(s), {} route(s), {} cron job(s), {} "
      "middleware",
      generation->files->scripts.size(), options_.dir.string(),
      loaded.hooks.size() + loaded.auth_hooks.size(), loaded.routes.size(), loaded.crons.size(),
      loaded.middleware.size());
  static const Generation kNoGeneration;
  schedule_crons(previous ? *previous : kNoGeneration, *generation);
  return true;
}

std::shared_ptr<const Generation> ScriptEngine::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

bool ScriptEngine::wants(records::HookEvent event, std::string_view collection) const noexcept {
  const std::uint32_t bit = 1u << static_cast<int>(event);
  if (!(hooked_events_.load(std::memory_order_acquire) & bit)) return false;
  const std::shared_ptr<const Generation> generation = current();
  if (!generation) return false;
  for (const HookRegistration& hook : generation->registrations.hooks) {
    if (hook.applies(event, collection)) return true;
  }
  return false;
}

bool ScriptEngine::wants_auth_hook(AuthHookEvent event,
                                   std::string_view collection) const noexcept {
  if (!any_auth_hooks_.load(std::memory_order_acquire)) return false;
  const std::shared_ptr<const Generation> generation = current();
  return generation && !generation->auth_hooks_for(event, collection).empty();
}

bool ScriptEngine::wants_middleware(http::Method method, std::string_view path) const noexcept {
  if (!any_middleware_.load(std::memory_order_acquire)) return false;
  const std::shared_ptr<const Generation> generation = current();
  if (!generation) return false;
  for (const MiddlewareRegistration& middleware : generation->registrations.middleware) {
    if (middleware.matches(method, path)) return true;
  }
  return false;
}

std::shared_ptr<ScriptState> ScriptEngine::state_for(const Generation& generation) {
  ThreadState& slot = thread_state(serial_);
  if (slot.state && slot.generation == generation.number) return slot.state;
  try {
    slot.state = std::make_shared<ScriptState>(generation.files, options_.limits, host_);
    slot.generation = generation.number;
  } catch (const std::exception& failure) {
    // The scratch load succeeded, so only a script whose load differs between runs gets here.
    spdlog::error("hooks: a worker could not load generation {}: {}", generation.number,
                  failure.what());
    if (!slot.state) throw core::ApiError(500);
  }
  return slot.state;
}

boost::asio::awaitable<CallOutput> ScriptEngine::call(std::shared_ptr<const Generation> generation,
                                                      int function, json::value argument,
                                                      const records::Caller& caller,
                                                      std::string what) {
  JsonArgument call_argument(std::move(argument));
  CallOutput output;
  output.result =
      co_await call(*generation, function, call_argument, caller, CallSite{.what = what});
  output.argument = std::move(call_argument.value());
  co_return output;
}

boost::asio::awaitable<json::value> ScriptEngine::call(const Generation& generation, int function,
                                                       CallArgument& argument,
                                                       const records::Caller& caller,
                                                       CallSite site) {
  // Not a coroutine (one frame less per hook): the state's call holds the state itself, so a
  // reload replaces this thread's state, never under a running call.
  std::shared_ptr<ScriptState> state = state_for(generation);
  ScriptState& running = *state;
  ServicePerformer perform = [this, &caller](const ServiceRequest& request) {
    return this->perform(request, caller);
  };
  return running.call(function, argument, std::move(perform), site, std::move(state));
}

boost::asio::awaitable<json::value> ScriptEngine::perform(const ServiceRequest& request,
                                                          const records::Caller& caller) {
  if (request.operation == "sql") {
    json::value rows = co_await run_sql(request);
    co_return rows;
  }
  if (request.operation == "http") {
    json::value answer = co_await run_http(request);
    co_return answer;
  }
  if (request.operation == "publish") {
    json::value answer = co_await publish(request);
    co_return answer;
  }
  if (!services_.records || !services_.collections) {
    throw core::ApiError(503, "The record service is not available to scripts.");
  }
  // The caller's own rules, or a superuser's when the script asked; never any hook again.
  const std::shared_ptr<const collections::Catalog> catalog = services_.collections->catalog();
  records::Caller as = caller;
  if (request.as_superuser) {
    as = records::Caller{catalog->find(records::kSuperusersCollection), &script_superuser_record(),
                         caller.client_address};
  }
  as.script = true;
  records::RecordService& service = *services_.records;
  query::RequestInfo info;
  const std::string collection = request.collection;
  if (request.operation == "find") {
    info.method = "GET";
    const std::string id = request.id;
    const std::string expand;
    records::RecordResult found = co_await service.view(as, collection, id, expand, info);
    co_return exported(as, found.record);
  }
  if (request.operation == "list") {
    info.method = "GET";
    const json::object options = object_or_empty(request.argument, "list options");
    records::ListOptions list;
    list.page = int_option(options, "page", 1);
    list.per_page = int_option(options, "perPage", records::kDefaultPerPage);
    list.filter = text_option(options, "filter");
    list.sort = text_option(options, "sort");
    const json::value* skip = options.if_contains("skipTotal");
    list.skip_total = skip && skip->is_bool() && skip->get_bool();
    records::RecordPage page = co_await service.list(as, collection, list, info);
    json::array items;
    for (const records::Record& record : page.items) items.push_back(exported(as, record));
    co_return json::object{{"items", std::move(items)},
                           {"page", page.page},
                           {"perPage", page.per_page},
                           {"totalItems", page.total_items},
                           {"totalPages", page.total_pages}};
  }
  if (request.operation == "create" || request.operation == "update") {
    const bool create = request.operation == "create";
    info.method = create ? "POST" : "PATCH";
    records::WriteInput input;
    input.body = object_or_empty(request.argument, "the record");
    records::RecordResult written;
    if (create) {
      written = co_await service.create(as, collection, std::move(input), info);
    } else {
      const std::string id = request.id;
      written = co_await service.update(as, collection, id, std::move(input), info);
    }
    co_return exported(as, written.record);
  }
  if (request.operation == "delete") {
    info.method = "DELETE";
    const std::string id = request.id;
    co_await service.remove(as, collection, id, info);
    co_return json::value(true);
  }
  throw core::ApiError::bad_request("unknown service operation " + request.operation);
}

boost::asio::awaitable<json::value> ScriptEngine::run_http(const ServiceRequest& request) {
  // Parsed (and bounded) on the worker; the transfer blocks a thread of the engine's own pool
  // while the script's coroutine is suspended.
  auto transfer = [http = parse_http_call(request.argument, options_.http),
                   limits = options_.http] { return perform_http_call(http, limits); };
  json::value answer = co_await http_pool_.run(std::move(transfer));
  co_return answer;
}

boost::asio::awaitable<json::value> ScriptEngine::publish(const ServiceRequest& request) {
  if (!services_.outbox || !services_.database) {
    throw core::ApiError(503, "The outbox is not available to scripts.");
  }
  const std::string& type = request.collection;
  if (!events::valid_custom_type(type)) {
    throw core::ApiError::bad_request(
        "basalt.events.publish: the type must be 1 to 100 letters, digits, '.', '_' or '-'");
  }
  std::string data = json::serialize(request.argument);
  if (data.size() > events::kMaxCustomDataBytes) {
    throw core::ApiError::bad_request("basalt.events.publish: the data is larger than 256 KiB");
  }
  // Its own write job: the row commits (or not) on its own, in commit order with the record
  // events (OutboxPort::append takes the commit-order lock on PostgreSQL).
  const std::vector<records::OutboxRow> rows{events::custom_event_row(type, std::move(data))};
  records::OutboxPort& outbox = *services_.outbox;
  auto job = [&outbox, &rows](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await outbox.append(tx, rows);
  };
  co_await services_.database->write(job);
  if (services_.published) services_.published();
  co_return json::object{{"id", rows.front().event_id}};
}

boost::asio::awaitable<json::value> ScriptEngine::run_sql(const ServiceRequest& request) {
  if (!services_.database) throw core::ApiError(503, "The database is not available to scripts.");
  std::string_view text = request.sql;
  while (!text.empty() &&
         (text.back() == ';' || std::isspace(static_cast<unsigned char>(text.back())))) {
    text.remove_suffix(1);
  }
  if (text.empty() || text.size() > 64 * 1024) {
    throw core::ApiError::bad_request("basalt.sql: the query must be 1 byte to 64 KiB");
  }
  db::Params params;
  if (request.argument.is_array()) {
    for (const json::value& value : request.argument.get_array())
      params.push_back(sql_param(value));
  }
  // A read connection (statements that write are refused there), on the read pool, under the
  // hooks' time budget; one row past the limit tells that the result was cut.
  const std::string sql = "SELECT * FROM (" +
                          with_placeholders(text, services_.database->dialect()) +
                          ") AS basalt_sql_rows LIMIT " + std::to_string(kMaxSqlRows + 1);
  db::ReadOptions options;
  options.pooled = true;
  options.budget = options_.limits.call_timeout;
  db::ResultSet rows;
  try {
    rows = co_await services_.database->query(sql, params, options);
  } catch (const core::ApiError&) {
    throw;
  } catch (const std::exception& failure) {
    throw core::ApiError::bad_request(std::string("basalt.sql: ") + failure.what());
  }
  if (rows.size() > kMaxSqlRows) {
    throw core::ApiError::bad_request("basalt.sql: more than " + std::to_string(kMaxSqlRows) +
                                      " rows; add a LIMIT");
  }
  json::array out;
  const std::vector<std::string>& columns = rows.columns();
  for (auto row : rows) {
    json::object item;
    for (std::size_t i = 0; i < columns.size(); ++i) item[columns[i]] = sql_cell(row[i]);
    out.push_back(std::move(item));
  }
  co_return out;
}

}  // namespace basalt::scripting
