// The data commands of the CLI (`basalt superuser upsert|delete`, `basalt collections
// export|import`, `basalt webhooks list|create|delete`), run through the same services as the REST
// API — the record service for superusers (validation, argon2id, events that drop cached auth
// records), the collection service for definitions — so a command changes a data directory exactly
// as the API would.
//
// Where they run: run_admin_command() opens the data directory itself when no process holds it;
// when a server holds it, the command goes to that server's admin socket (admin_socket.hpp) and
// runs there, against the server's own services and writer.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/config.hpp"
#include "basalt/db/database.hpp"
#include "basalt/events/destination_service.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::app {

// One command: `name` is one of kSuperuserUpsert, kSuperuserDelete, kCollectionsExport,
// kCollectionsImport; `args` its operands in order (see each constant).
struct AdminCommand {
  std::string name;
  std::vector<std::string> args;
};

inline constexpr const char* kSuperuserUpsert = "superuser-upsert";      // email, password
inline constexpr const char* kSuperuserDelete = "superuser-delete";      // email
inline constexpr const char* kCollectionsExport = "collections-export";  // (none)
inline constexpr const char* kCollectionsImport =
    "collections-import";                                          // json text, "true"|"false"
inline constexpr const char* kWebhooksList = "webhooks-list";      // (none)
inline constexpr const char* kWebhooksCreate = "webhooks-create";  // json body
inline constexpr const char* kWebhooksDelete = "webhooks-delete";  // id

class AdminCommands {
 public:
  AdminCommands(db::Database& database, collections::CollectionService& collections,
                records::RecordService& records, events::DestinationService& destinations);

  // Runs `command` to completion and returns its exit code (0, or 1 with every problem on
  // `err`; 2 for an unknown command or wrong operands). Blocks: call it from a thread that is not
  // a worker (the CLI's main thread, the admin socket's thread).
  int run(const AdminCommand& command, std::ostream& out, std::ostream& err);

 private:
  int upsert_superuser(const std::string& email, const std::string& password, std::ostream& out);
  int delete_superuser(const std::string& email, std::ostream& out, std::ostream& err);
  int import_collections(const std::string& text, bool delete_missing, std::ostream& err);
  // The id of the superuser with `email` (compared without regard to case), if any.
  std::optional<std::string> superuser_id(const std::string& email);

  db::Database& database_;
  collections::CollectionService& collections_;
  records::RecordService& records_;
  events::DestinationService& destinations_;  // webhooks (docs/events.md)
};

// Runs `command` on `config`'s data directory: opened here when it is free, otherwise through
// the admin socket of the server that holds it. Returns the exit code.
int run_admin_command(const core::Config& config, const AdminCommand& command, std::ostream& out,
                      std::ostream& err);

}  // namespace basalt::app
