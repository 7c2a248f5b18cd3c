// Basalt as a library: the public C++ extension API (docs/extending.md).
//
//   #include "basalt/extension/app.hpp"
//   namespace bx = basalt::extension;
//   int main(int argc, char** argv) {
//     bx::App app(argc, argv);                       // the `basalt` command line, as is
//     app.on_record_create("posts", bx::When::kBefore, [](bx::RecordEvent& e) -> bx::Task<void> {
//       ...; co_return;
//     });
//     app.route("GET", "/api/hello", bx::RouteAuth::kUser, handler);
//     app.cron("report", "0 * * * *", job);          // once per cluster, on the durable scheduler
//     return app.run();                              // `serve` runs with the above, other
//   }                                                // commands (superuser, ...) as usual
//
// Guarantees are those of the Lua hooks (docs/hooks.md): before-hooks run in the write's
// prepare() on the request's worker, never on the writer thread nor inside the transaction, and
// the record they leave is validated like a client's body; after-hooks run after the commit and
// cannot undo it. Routes pass the API's own wrapper (caller from the Authorization header,
// settings.superuserIPs, settings.rateLimits, the route's auth refused with 401/403, the API's
// body decoder and error JSON). Crons run once per scheduled minute across every instance of a
// cluster, on a job runner thread.
//
// Threads: hook and route functions are coroutines run on the worker serving the request: they
// must not block (no sleep, no blocking I/O); wait on records calls with co_await. Cron
// functions run on a job runner thread, where blocking is allowed. Several workers call one
// function concurrently: what it captures must be thread-safe.
// Lifetime: register everything before run(); registering afterwards throws std::logic_error.
// The App and what the functions capture must outlive run().
//
// Compile cost: this header includes only the standard library and Asio's awaitable; Boost.JSON
// is declared, not included (include <boost/json.hpp> where a function reads values).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::json {
class object;
class value;
}  // namespace boost::json

namespace basalt::records {
struct Caller;
}  // namespace basalt::records

namespace basalt::http {
class Request;
class Response;
}  // namespace basalt::http

namespace basalt::extension {

struct Backend;  // the services behind Records (extension_parts.hpp)

template <typename T>
using Task = boost::asio::awaitable<T>;

enum class When { kBefore, kAfter };
enum class RouteAuth {
  kGuest,      // anyone
  kUser,       // any auth record, superusers included: 401 for a guest
  kSuperuser,  // 401 for a guest, 403 for a user
};

// An API error: the client gets `status` with PocketBase's {"status","message","data"}. Thrown
// from a before-hook it refuses the write (nothing is stored); from a route, it is the answer.
// Errors the records calls throw travel the same way.
class Error : public std::runtime_error {
 public:
  Error(int status, std::string message);
  // A field error under data.<name>: {"code": code, "message": message}.
  Error& field(std::string name, std::string code, std::string message);

  int status() const noexcept { return status_; }
  struct FieldError {
    std::string name, code, message;
  };
  const std::vector<FieldError>& fields() const noexcept { return fields_; }

 private:
  int status_;
  std::vector<FieldError> fields_;
};

// Who made the request (or, for a cron job, a guest). Borrowed: valid during the call.
class Caller {
 public:
  explicit Caller(const records::Caller& caller) noexcept : caller_(&caller) {}
  bool is_guest() const noexcept;
  bool is_superuser() const noexcept;
  std::string_view id() const noexcept;          // "" for a guest
  std::string_view collection() const noexcept;  // the auth collection's name; "" for a guest
  // A stored field of the auth record; null for a guest, an absent field, and the secrets
  // (password, tokenKey), which extensions never see.
  const boost::json::value* field(std::string_view name) const noexcept;

 private:
  const records::Caller* caller_;
};

struct ListQuery {
  // The filter language (docs/filters.md), applied on top of the caller's list rule. It is
  // text: check a client's value (e.g. an id's characters) before putting it in a literal.
  std::string filter;
  std::string sort;
  std::int64_t page = 1;
  std::int64_t per_page = 30;  // at most 1000
  bool skip_total = false;
};

// The record service as one caller: the request's caller (its rules apply), a guest, or a
// superuser (every rule bypassed: ask for it explicitly). Records come back as a client would
// see them ({"collectionName", ..., hidden fields left out}). Calls from an extension run no
// hook, so hooks never recurse. Errors are thrown as the API would answer them (404, 400, ...).
// Valid during the call that handed it out; call it from that call's coroutine.
class Records {
 public:
  Records(const Backend& backend, const records::Caller& caller, bool superuser) noexcept
      : backend_(&backend), caller_(&caller), superuser_(superuser) {}

  Task<boost::json::object> view(std::string collection, std::string id) const;
  // {"items", "page", "perPage", "totalItems", "totalPages"}
  Task<boost::json::object> list(std::string collection, ListQuery query) const;
  Task<boost::json::object> create(std::string collection, boost::json::object fields) const;
  Task<boost::json::object> update(std::string collection, std::string id,
                                   boost::json::object fields) const;
  Task<void> remove(std::string collection, std::string id) const;

 private:
  const Backend* backend_;
  const records::Caller* caller_;
  bool superuser_;
};

// One record write as a hook sees it. Valid during the hook call.
struct RecordEvent {
  std::string_view collection;
  // The record's id; "" in a create's before-hook (the id is made after it).
  std::string_view id;
  // Before create/update: the request's body, to read and change in place (validated after
  // the hook like a client's). Before delete: {"id": ...}. After: the record as committed.
  boost::json::object& record;
  // Before update: the stored row as read in prepare() (not locked); else null.
  const boost::json::object* original;
  Caller caller;
  Records records;    // as the request's caller
  Records superuser;  // as a superuser
};

struct RouteRequest {
  std::string_view method;
  std::string_view path;
  const http::Request& raw;  // the request as the server holds it (advanced use)
  // The JSON or form body decoded by the API's decoder; {} when empty. A body the decoder
  // refuses was answered 400 before the handler ran.
  const boost::json::object& body;
  Caller caller;
  Records records;    // as the caller: its rules apply
  Records superuser;  // as a superuser

  std::string_view param(std::string_view name) const;  // a {name} segment of the route
  // The first value of a query parameter; "" when absent.
  std::string query(std::string_view name) const;
  // The first value of a header (any case); "" when absent.
  std::string_view header(std::string_view name) const;
};

// The handler's answer. Nothing set: 204.
class RouteResponse {
 public:
  explicit RouteResponse(http::Response& response) noexcept : response_(&response) {}
  void json(int status, const boost::json::value& body);
  void text(int status, std::string_view body,
            std::string_view content_type = "text/plain; charset=utf-8");
  // Refused (std::invalid_argument) for a name that is not a token or a value with CR/LF/NUL.
  void header(std::string_view name, std::string_view value);
  bool answered() const noexcept { return answered_; }

 private:
  http::Response* response_;
  bool answered_ = false;
};

struct CronContext {
  std::string_view id;
  Records records;    // as a guest
  Records superuser;  // as a superuser
};

using RecordHook = std::function<Task<void>(RecordEvent&)>;
using RouteHandler = std::function<Task<void>(RouteRequest&, RouteResponse&)>;
using CronJob = std::function<Task<void>(CronContext&)>;

class App {
 public:
  // The same command line as the `basalt` binary (`serve --http ... --dir ...`, `superuser
  // upsert`, ...); argv must outlive run().
  App(int argc, char** argv);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // `collection`: a name, or "*" for every collection. Hooks of one event run in
  // registration order, before the Lua scripts' hooks of the same event.
  App& on_record_create(std::string collection, When when, RecordHook hook);
  App& on_record_update(std::string collection, When when, RecordHook hook);
  App& on_record_delete(std::string collection, When when, RecordHook hook);

  // `method`: GET (also answers HEAD), POST, PUT, PATCH, DELETE; `path`: a router template,
  // `{name}` binding one segment. A route a built-in one would answer fails the start.
  App& route(std::string_view method, std::string path, RouteAuth auth, RouteHandler handler);

  // A five-field cron expression (PocketBase's); the id must not start with "__" (Basalt's
  // own jobs). Listed by GET /api/crons and run at once by POST /api/crons/{id}. Throws
  // std::invalid_argument for a bad id or expression.
  App& cron(std::string id, std::string expression, CronJob job);

  // Runs the command line; returns the process exit code (0 after a graceful shutdown).
  int run();

  struct Parts;  // extension_parts.hpp

 private:
  int argc_;
  char** argv_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace basalt::extension
