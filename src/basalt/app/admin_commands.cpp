#include "basalt/app/admin_commands.hpp"

#include <boost/json/parse.hpp>
#include <optional>
#include <ostream>

#include "basalt/app/admin_socket.hpp"
#include "basalt/app/password_hashing.hpp"
#include "basalt/app/restore_start.hpp"
#include "basalt/app/run_blocking.hpp"
#include "basalt/app/storage.hpp"
#include "basalt/auth/password_hasher.hpp"
#include "basalt/auth/pooled_passwords.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/core/blocking_pool.hpp"
#include "basalt/core/json_pretty.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/events/outbox_writer.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/records/event_bus.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::app {
namespace {

namespace json = boost::json;

constexpr int kExitUsage = 2;

void print_problem(std::ostream& err, const core::ApiError& error) {
  err << "basalt: " << error.message() << '\n';
  if (!error.data().empty()) err << core::json_pretty(error.data()) << '\n';
}

// The service's view of the command line: a superuser with no record of its own.
struct CommandLineCaller {
  explicit CommandLineCaller(const collections::Catalog& catalog)
      : collection(catalog.find(schema::kSuperusersCollection)) {
    if (!collection) throw std::runtime_error("the _superusers collection is missing");
    caller.collection = collection;
    caller.record = &record;
  }
  const schema::Collection* collection;
  json::object record{{"id", ""}};
  records::Caller caller;
};

}  // namespace

AdminCommands::AdminCommands(db::Database& database, collections::CollectionService& collections,
                             records::RecordService& records,
                             events::DestinationService& destinations)
    : database_(database),
      collections_(collections),
      records_(records),
      destinations_(destinations) {}

int AdminCommands::run(const AdminCommand& command, std::ostream& out, std::ostream& err) {
  const auto& args = command.args;
  try {
    if (command.name == kSuperuserUpsert && args.size() == 2) {
      return upsert_superuser(args[0], args[1], out);
    }
    if (command.name == kSuperuserDelete && args.size() == 1) {
      return delete_superuser(args[0], out, err);
    }
    if (command.name == kCollectionsExport && args.empty()) {
      out << core::json_pretty(collections::export_collections(*collections_.catalog())) << '\n';
      return 0;
    }
    if (command.name == kCollectionsImport && args.size() == 2) {
      return import_collections(args[0], args[1] == "true", err);
    }
    // Webhooks: the same service and answers as /api/webhooks (docs/events.md).
    if (command.name == kWebhooksList && args.empty()) {
      out << core::json_pretty(run_blocking(destinations_.list(std::string(events::kWebhookType))))
          << '\n';
      return 0;
    }
    if (command.name == kWebhooksCreate && args.size() == 1) {
      json::value body = json::parse(args[0]);
      if (!body.is_object())
        throw core::ApiError::bad_request("The webhook must be a JSON object.");
      out << core::json_pretty(run_blocking(destinations_.create(std::string(events::kWebhookType),
                                                                 std::move(body.as_object()))))
          << '\n';
      return 0;
    }
    if (command.name == kWebhooksDelete && args.size() == 1) {
      run_blocking(destinations_.remove(std::string(events::kWebhookType), args[0]));
      out << "deleted webhook " << args[0] << '\n';
      return 0;
    }
    err << "basalt: unknown admin command " << command.name << " with " << args.size()
        << " operands\n";
    return kExitUsage;
  } catch (const core::ApiError& error) {
    print_problem(err, error);
    return 1;
  } catch (const std::exception& error) {
    err << "basalt: " << error.what() << '\n';
    return 1;
  }
}

int AdminCommands::upsert_superuser(const std::string& email, const std::string& password,
                                    std::ostream& out) {
  CommandLineCaller who(*collections_.catalog());
  const std::optional<std::string> id = superuser_id(email);
  records::WriteInput input;
  input.body = {{"password", password}, {"passwordConfirm", password}};
  if (!id) {
    input.body["email"] = email;
    input.body["verified"] = true;
    run_blocking(records_.create(who.caller, schema::kSuperusersCollection, std::move(input), {}));
    out << "Created superuser " << email << '\n';
  } else {
    run_blocking(
        records_.update(who.caller, schema::kSuperusersCollection, *id, std::move(input), {}));
    out << "Updated the password of superuser " << email << '\n';
  }
  return 0;
}

int AdminCommands::delete_superuser(const std::string& email, std::ostream& out,
                                    std::ostream& err) {
  CommandLineCaller who(*collections_.catalog());
  const std::optional<std::string> id = superuser_id(email);
  if (!id) {
    err << "basalt: no superuser with email " << email << '\n';
    return 1;
  }
  run_blocking(records_.remove(who.caller, schema::kSuperusersCollection, *id, {}));
  out << "Deleted superuser " << email << '\n';
  return 0;
}

std::optional<std::string> AdminCommands::superuser_id(const std::string& email) {
  const db::Dialect& dialect = database_.dialect();
  const std::string find =
      "SELECT " + dialect.quote_identifier(schema::kFieldId) + " FROM " +
      dialect.quote_identifier(schema::kSuperusersCollection) + " WHERE " +
      dialect.equals_ignoring_case(dialect.quote_identifier(schema::kFieldEmail),
                                   dialect.placeholder(1));
  db::ResultSet rows = run_blocking(database_.query(find, email));
  if (rows.empty()) return std::nullopt;
  return std::string(rows[0].as_text(0));
}

int AdminCommands::import_collections(const std::string& text, bool delete_missing,
                                      std::ostream& err) {
  boost::system::error_code ec;
  json::value document = json::parse(text, ec);
  if (ec) {
    err << "basalt: the file is not valid JSON: " << ec.message() << '\n';
    return 1;
  }
  json::value collections = document;
  if (const auto* object = document.if_object()) {
    collections = object->contains("collections") ? object->at("collections") : json::value();
    if (const auto* flag = object->if_contains("deleteMissing"); flag && flag->is_bool()) {
      delete_missing = delete_missing || flag->as_bool();
    }
  }
  run_blocking(collections_.import(collections, delete_missing));
  return 0;
}

int run_admin_command(const core::Config& config, const AdminCommand& command, std::ostream& out,
                      std::ostream& err) {
  std::optional<std::string> busy;
  try {
    // The direct path (no server holds the directory) composes its own services: the CLI's
    // root, so it passes the system clock as `serve` does.
    const core::Clock& clock = core::system_clock();
    // A staged backup restore is applied first, as `serve` does (restore_start.hpp).
    const std::unique_ptr<Storage> opened = open_storage(config, clock);
    Storage& storage = *opened;
    // The services a command needs, as `serve` builds them; hashing on a thread of its own.
    core::BlockingPool blocking({1, 4});
    auth::PasswordHasher hasher(configured_argon2_params(config.auth));
    auth::PooledPasswords passwords(blocking, hasher);
    query::PlanCache plans;
    records::EventBus events;
    records::RecordService records(storage.database(), storage.collections(), plans, passwords,
                                   events, clock);
    events::OutboxWriter outbox_writer(storage.database().dialect(), clock);
    records.set_outbox(&outbox_writer);
    events::DestinationService destinations(storage.database(), storage.collections(), records,
                                            clock);
    run_blocking(destinations.load());
    AdminCommands commands(storage.database(), storage.collections(), records, destinations);
    const int code = commands.run(command, out, err);
    blocking.shutdown();
    storage.close();
    return code;
  } catch (const db::DirectoryInUseError& error) {
    busy = error.what();
  } catch (const std::exception& error) {
    err << "basalt: " << error.what() << '\n';
    return 1;
  }
  // A server holds the directory: ask it.
  if (auto code = send_admin_command(config.data_dir, command, out, err)) return *code;
  err << "basalt: " << *busy << ", and its admin socket (" << admin_socket_path(config.data_dir)
      << ") did not answer; stop the server or run the command as the user it runs as\n";
  return 1;
}

}  // namespace basalt::app
