// ScriptState: one worker's Lua state with the scripts of one generation loaded in it
// (docs/hooks.md). Built from ScriptFiles: a LuaState (memory cap, time budget, JIT off), the
// sandboxed standard library and the `basalt` library (script_library.cpp), then every script
// in order. Loading collects the Registrations; building a state from files that fail throws
// ScriptLoadError with the file and line Lua reports.
//
// call() runs one registered function as a Lua coroutine of the state, so that a script may
// call a service without blocking its thread: the library's service functions yield a
// ServiceRequest, call() awaits the host's performer for it and resumes the coroutine with the
// answer. Several calls may be in flight on one state (each suspended at a service call); only
// one runs Lua at a time, on the owning thread.
//
// Thread ownership: the thread that uses it (a worker, the loader thread, the cron thread); a
// state is never shared between threads. Held by shared_ptr so that a reload does not pull it
// from under a call suspended at a service call.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "basalt/core/clock.hpp"
#include "basalt/mail/message.hpp"
#include "basalt/scripting/lua_state.hpp"
#include "basalt/scripting/registrations.hpp"
#include "basalt/scripting/script_files.hpp"

namespace basalt::scripting {

class ScriptLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A service call a script made (basalt.records.*, basalt.sql): performed by the host.
struct ServiceRequest {
  std::string operation;        // find, list, create, update, delete, sql
  std::string collection;       // records
  std::string id;               // find, update, delete
  boost::json::value argument;  // create/update: body; list: options; sql: parameters
  std::string sql;
  bool as_superuser = false;
};

// What the `basalt` library reaches outside Lua; outlives every state.
struct ScriptHost {
  const core::Clock* clock = nullptr;
  // Queues a mail (settings' sender filled in by the host); false when refused. Null: none.
  std::function<bool(mail::MailMessage)> send_mail;
};

// Performs a ServiceRequest: the JSON answer, or throws core::ApiError.
using ServicePerformer =
    std::function<boost::asio::awaitable<boost::json::value>(const ServiceRequest&)>;

struct CallOutput {
  boost::json::value result;    // the function's first return value (null for none)
  boost::json::value argument;  // the argument table as the function left it
};

// How one call's argument enters Lua and what is taken back out of it. A hook's event is
// pushed straight from the write it describes and only the part the write goes on with is
// read back, so a hook that changes nothing costs the call itself (docs/hooks.md, "Cost").
class CallArgument {
 public:
  // Pushes exactly one value. Runs in a protected section: may raise a Lua error.
  virtual void push(lua_State* L) const = 0;
  // After the function returned normally, with the argument at `index` (protected, as push).
  virtual void read_back(lua_State* L, int index) = 0;

 protected:
  ~CallArgument() = default;
};

// A JSON value in, and the whole value as the function left it back.
class JsonArgument final : public CallArgument {
 public:
  explicit JsonArgument(boost::json::value value) : value_(std::move(value)) {}
  void push(lua_State* L) const override;
  void read_back(lua_State* L, int index) override;
  boost::json::value& value() noexcept { return value_; }

 private:
  boost::json::value value_;
};

// What a call is, for the log line when it fails: "<what>", or "<what> hook of <of>" when `of`
// is set. Built only on a failure; the views must outlive the call.
struct CallSite {
  std::string_view what;
  std::string_view of;
  std::string text() const;
};

struct StateContext;

class ScriptState {
 public:
  ScriptState(std::shared_ptr<const ScriptFiles> files, LuaLimits limits, const ScriptHost& host);
  ~ScriptState();
  ScriptState(const ScriptState&) = delete;
  ScriptState& operator=(const ScriptState&) = delete;

  const Registrations& registrations() const noexcept { return registrations_; }
  LuaState& lua() noexcept { return lua_; }

  // Runs function `function` with one argument; its first return value (null for none). A
  // script's `error(basalt.error(...))` is thrown as that core::ApiError; any other failure (a
  // Lua error, the memory cap, the time budget) is logged with `site` and thrown as a 500.
  // `argument` is used until the call completes; `keep` (may be null) is held until then (the
  // engine passes the state itself, so a caller needs no coroutine of its own to hold it).
  boost::asio::awaitable<boost::json::value> call(int function, CallArgument& argument,
                                                  ServicePerformer perform, CallSite site,
                                                  std::shared_ptr<const void> keep = nullptr);

 private:
  std::shared_ptr<const ScriptFiles> files_;
  std::unique_ptr<StateContext> context_;  // before lua_: outlives the Lua state
  LuaState lua_;
  // The registry reference of the C function that runs a protected section's body (made once:
  // a closure per section would be an allocation and garbage per call).
  int protected_runner_ = -2;  // LUA_NOREF
  Registrations registrations_;
  // Coroutines of calls that returned normally, reused by the next calls (a new coroutine is
  // an allocation and garbage per call); at most kIdleThreads.
  static constexpr std::size_t kIdleThreads = 16;
  std::vector<std::pair<lua_State*, int>> idle_threads_;
};

}  // namespace basalt::scripting
