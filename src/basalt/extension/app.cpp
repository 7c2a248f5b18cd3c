// The App builder (extension/app.hpp): collects the registrations, then runs the `basalt`
// command line with them as the `serve` extension (app/serve_extension.hpp).
#include "basalt/extension/app.hpp"

#include <stdexcept>

#include "basalt/cli/root_command.hpp"
#include "basalt/extension/extension_parts.hpp"
#include "basalt/jobs/cron_schedule.hpp"

namespace basalt::extension {
namespace {

void check_open(const App::Parts& parts) {
  if (parts.started) throw std::logic_error("extension::App: register before run()");
}

App::Parts::Hook hook_of(std::string collection, RecordHook hook) {
  if (collection.empty()) throw std::invalid_argument("extension::App: empty collection name");
  if (!hook) throw std::invalid_argument("extension::App: empty hook function");
  return {std::move(collection), std::move(hook)};
}

}  // namespace

App::App(int argc, char** argv) : argc_(argc), argv_(argv), parts_(std::make_unique<Parts>()) {}
App::~App() = default;

App& App::on_record_create(std::string collection, When when, RecordHook hook) {
  check_open(*parts_);
  const auto event =
      when == When::kBefore ? records::HookEvent::kBeforeCreate : records::HookEvent::kAfterCreate;
  parts_->hooks_by_event[static_cast<std::size_t>(event)].push_back(
      hook_of(std::move(collection), std::move(hook)));
  return *this;
}

App& App::on_record_update(std::string collection, When when, RecordHook hook) {
  check_open(*parts_);
  const auto event =
      when == When::kBefore ? records::HookEvent::kBeforeUpdate : records::HookEvent::kAfterUpdate;
  parts_->hooks_by_event[static_cast<std::size_t>(event)].push_back(
      hook_of(std::move(collection), std::move(hook)));
  return *this;
}

App& App::on_record_delete(std::string collection, When when, RecordHook hook) {
  check_open(*parts_);
  const auto event =
      when == When::kBefore ? records::HookEvent::kBeforeDelete : records::HookEvent::kAfterDelete;
  parts_->hooks_by_event[static_cast<std::size_t>(event)].push_back(
      hook_of(std::move(collection), std::move(hook)));
  return *this;
}

App& App::route(std::string_view method, std::string path, RouteAuth auth, RouteHandler handler) {
  check_open(*parts_);
  const http::Method parsed = http::method_from_name(method);
  if (parsed != http::Method::kGet && parsed != http::Method::kPost &&
      parsed != http::Method::kPut && parsed != http::Method::kPatch &&
      parsed != http::Method::kDelete) {
    throw std::invalid_argument(
        "extension::App: route method must be GET, POST, PUT, PATCH or "
        "DELETE, not " +
        std::string(method));
  }
  if (!path.starts_with('/'))
    throw std::invalid_argument("extension::App: route path must start with /");
  if (!handler) throw std::invalid_argument("extension::App: empty route handler");
  parts_->routes.push_back({parsed, std::move(path), auth, std::move(handler)});
  return *this;
}

App& App::cron(std::string id, std::string expression, CronJob job) {
  check_open(*parts_);
  if (id.empty() || id.starts_with("__")) {
    throw std::invalid_argument("extension::App: cron id \"" + id +
                                "\" refused: empty, or starting with \"__\" (Basalt's own jobs)");
  }
  auto parsed = jobs::CronSchedule::parse(expression);
  if (const std::string* error = std::get_if<std::string>(&parsed)) {
    throw std::invalid_argument("extension::App: cron \"" + id + "\": " + *error);
  }
  if (!job) throw std::invalid_argument("extension::App: empty cron function");
  for (const Parts::Cron& cron : parts_->crons) {
    if (cron.id == id) throw std::invalid_argument("extension::App: cron \"" + id + "\" twice");
  }
  parts_->crons.push_back({std::move(id), std::move(expression), std::move(job)});
  return *this;
}

int App::run() {
  parts_->started = true;
  return cli::run(argc_, argv_, parts_.get());
}

}  // namespace basalt::extension
