#include "basalt/scripting/script_state.hpp"

#include <spdlog/spdlog.h>

#include <tuple>
#include <type_traits>

#include "basalt/core/api_error.hpp"
#include "basalt/scripting/lua_json.hpp"
#include "basalt/scripting/script_library.hpp"

extern "C" {
#include <lauxlib.h>
}

namespace basalt::scripting {
namespace json = boost::json;
namespace {

// A protected section's body, type-erased without an allocation: what the runner calls.
struct ProtectedBody {
  void (*invoke)(void* body, lua_State* L);
  void* body;
};

// The C function behind every protected section (registered once per state): its one
// argument is the ProtectedBody, removed before the body runs on an empty stack.
int run_protected_body(lua_State* L) {
  const auto* body = static_cast<const ProtectedBody*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  body->invoke(body->body, L);
  return 0;
}

// Runs `body(L)` inside lua_pcall through the state's runner (so a Lua error or a refused
// allocation in it is an error, never a panic); the error text, or nullopt.
template <class Body>
std::optional<std::string> protect(LuaState& state, int runner, Body&& body) {
  using Type = std::remove_reference_t<Body>;
  ProtectedBody erased{[](void* b, lua_State* L) { (*static_cast<Type*>(b))(L); },
                       const_cast<void*>(static_cast<const void*>(&body))};
  lua_State* L = state.get();
  lua_rawgeti(L, LUA_REGISTRYINDEX, runner);
  lua_pushlightuserdata(L, &erased);
  if (lua_pcall(L, 1, 0, 0) == 0) return std::nullopt;
  const char* text = lua_tostring(L, -1);
  std::string message = text ? text : "(error object is not a string)";
  lua_pop(L, 1);
  if (state.memory_refused()) {
    message = "memory limit of " + std::to_string(state.limits().memory_bytes >> 20) +
              " MiB exceeded (" + message + ")";
  }
  return message;
}

// The registry references of one call, released however the call ends (a call abandoned at a
// service call, at shutdown, included).
class CallAnchor {
 public:
  CallAnchor(LuaState& state, StateContext& context)
      : state_(state), context_(context), call_(++context.calls) {}
  ~CallAnchor() {
    forget_lazy(context_, call_);
    LuaState::Uncapped room(state_);
    for (int ref : {thread_, argument_}) {
      if (ref != LUA_NOREF) luaL_unref(state_.get(), LUA_REGISTRYINDEX, ref);
    }
    // After a failure (a memory bomb among them), what the call held is garbage now that its
    // coroutine is unreferenced: give it back before the next call.
    if (failed_) lua_gc(state_.get(), LUA_GCCOLLECT, 0);
  }
  CallAnchor(const CallAnchor&) = delete;
  CallAnchor& operator=(const CallAnchor&) = delete;
  void keep_thread(int ref) noexcept { thread_ = ref; }
  void keep_argument(int ref) noexcept { argument_ = ref; }
  // The coroutine stays referenced after the call (kept for the next one).
  void release_thread() noexcept { thread_ = LUA_NOREF; }
  void failed() noexcept { failed_ = true; }
  std::uint64_t call() const noexcept { return call_; }

 private:
  bool failed_ = false;
  LuaState& state_;
  StateContext& context_;
  std::uint64_t call_;
  int thread_ = LUA_NOREF;
  int argument_ = LUA_NOREF;
};

json::value error_answer(int status, std::string_view message, const json::object& data) {
  return json::object{
      {"__basalt_error", true}, {"status", status}, {"message", message}, {"data", data}};
}

}  // namespace

std::string CallSite::text() const {
  if (of.empty()) return std::string(what);
  return std::string(what) + " hook of " + std::string(of);
}

void JsonArgument::push(lua_State* L) const {
  push_json(L, value_);
}

void JsonArgument::read_back(lua_State* L, int index) {
  value_ = to_json(L, index);
}

ScriptState::ScriptState(std::shared_ptr<const ScriptFiles> files, LuaLimits limits,
                         const ScriptHost& host)
    : files_(std::move(files)), context_(std::make_unique<StateContext>()), lua_(limits) {
  context_->files = files_.get();
  context_->host = &host;
  context_->limits = limits;
  {
    LuaState::Uncapped room(lua_);
    lua_pushcfunction(lua_.get(), run_protected_body);
    protected_runner_ = luaL_ref(lua_.get(), LUA_REGISTRYINDEX);
  }
  if (auto failed = protect(lua_, protected_runner_,
                            [this](lua_State* L) { install_library(L, *context_); })) {
    throw ScriptLoadError("the basalt library could not be installed: " + *failed);
  }
  lua_State* L = lua_.get();
  context_->collecting = &registrations_;
  for (const ScriptFile& file : files_->scripts) {
    lua_.reset_memory_flag();
    lua_.start_budget(limits.call_timeout);
    int status = load_text_chunk(L, file.source, "@" + file.name);
    if (status == 0) status = lua_pcall(L, 0, 0, 0);
    lua_.stop_budget();
    if (status != 0) {
      const char* text = lua_tostring(L, -1);
      std::string message = text ? text : file.name + ": error object is not a string";
      if (lua_.memory_refused()) message += " (memory limit reached while loading)";
      lua_pop(L, 1);
      context_->collecting = nullptr;
      throw ScriptLoadError(message);
    }
  }
  context_->collecting = nullptr;
  LuaState::Uncapped room(lua_);
  lua_gc(L, LUA_GCCOLLECT, 0);
}

ScriptState::~ScriptState() = default;

boost::asio::awaitable<json::value> ScriptState::call(
    int function, CallArgument& argument, ServicePerformer perform, CallSite site,
    [[maybe_unused]] std::shared_ptr<const void> keep) {
  lua_State* L = lua_.get();
  CallAnchor anchor(lua_, *context_);
  lua_State* co = nullptr;
  int thread_ref = LUA_NOREF;
  if (!idle_threads_.empty()) {
    // A coroutine whose last call returned normally: status 0 and an empty stack, so it
    // starts the next function like a new one (Lua 5.1's lua_resume), without an allocation.
    std::tie(co, thread_ref) = idle_threads_.back();
    idle_threads_.pop_back();
  } else {
    LuaState::Uncapped room(lua_);
    co = lua_newthread(L);
    thread_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  anchor.keep_thread(thread_ref);
  int argument_ref = LUA_NOREF;
  const auto fail = [&](const std::string& message) {
    spdlog::error("hooks: {} failed: {}", site.text(), message);
    anchor.failed();
    return core::ApiError(500);
  };
  context_->current_call = anchor.call();
  if (auto failed = protect(lua_, protected_runner_, [&](lua_State* P) {
        push_registered_function(P, function);
        argument.push(P);
        lua_pushvalue(P, -1);
        argument_ref = luaL_ref(P, LUA_REGISTRYINDEX);
        lua_xmove(P, co, 2);
      })) {
    throw fail(*failed);
  }
  anchor.keep_argument(argument_ref);

  int arguments = 1;
  std::chrono::steady_clock::duration remaining = lua_.limits().call_timeout;
  for (;;) {
    context_->running = co;
    context_->pending.reset();
    lua_.reset_memory_flag();
    lua_.start_budget(remaining);
    const int status = lua_resume(co, arguments);
    remaining -= lua_.stop_budget();
    const bool timed_out = lua_.budget_exceeded();
    const bool out_of_memory = lua_.memory_refused();
    context_->running = nullptr;

    if (status == LUA_YIELD) {
      if (!context_->pending || context_->pending_thread != co) {
        throw fail("coroutine.yield outside a coroutine the script created");
      }
      const ServiceRequest request = std::move(*context_->pending);
      context_->pending.reset();
      lua_settop(co, 0);
      bool ok = true;
      json::value answer;
      try {
        answer = co_await perform(request);
      } catch (const core::ApiError& error) {
        ok = false;
        answer = error_answer(error.status(), error.what(), error.data());
      } catch (const std::exception& error) {
        spdlog::error("hooks: {}: service call {} failed: {}", site.text(), request.operation,
                      error.what());
        ok = false;
        answer = error_answer(500, core::default_error_message(500), {});
      }
      if (auto failed = protect(lua_, protected_runner_, [&](lua_State* P) {
            lua_pushboolean(P, ok);
            push_json(P, answer);
            lua_xmove(P, co, 2);
          })) {
        throw fail(*failed);
      }
      arguments = 2;
      continue;
    }

    if (status == 0) {
      json::value result;
      const int results = lua_gettop(co);
      if (auto failed = protect(lua_, protected_runner_, [&](lua_State* P) {
            if (results > 0) {
              lua_settop(co, 1);
              lua_xmove(co, P, 1);
              result = to_json(P, -1);
              lua_pop(P, 1);
            }
            lua_rawgeti(P, LUA_REGISTRYINDEX, argument_ref);
            argument.read_back(P, lua_gettop(P));
          })) {
        throw fail("its result has no JSON form: " + *failed);
      }
      if (idle_threads_.size() < kIdleThreads) {
        lua_settop(co, 0);
        anchor.release_thread();
        idle_threads_.emplace_back(co, thread_ref);
      }
      co_return result;
    }

    // An error: basalt.error's table becomes that API error; anything else is a 500.
    int error_status = 0;
    std::string message;
    json::object data;
    bool script_error = false;
    std::string text;
    if (auto failed = protect(lua_, protected_runner_, [&](lua_State* P) {
          lua_xmove(co, P, 1);
          script_error = read_script_error(P, -1, error_status, message, data);
          if (!script_error) {
            const char* raw = lua_tostring(P, -1);
            text = raw ? raw : std::string("error object is a ") + luaL_typename(P, -1);
          }
        })) {
      text = *failed;
    }
    anchor.failed();
    if (script_error && (error_status < 400 || error_status > 599)) {
      script_error = false;  // a hand-made table with a status no error may have
      text = "error status " + std::to_string(error_status) + " is not from 400 to 599";
    }
    if (script_error) {
      if (message.empty()) message = core::default_error_message(error_status);
      throw core::ApiError(error_status, std::move(message), std::move(data));
    }
    if (timed_out) text += " (hooks-timeout-ms)";
    if (out_of_memory) {
      text = "memory limit of " + std::to_string(lua_.limits().memory_bytes >> 20) +
             " MiB exceeded (hooks-memory-mb): " + text;
    }
    throw fail(text);
  }
}

}  // namespace basalt::scripting
