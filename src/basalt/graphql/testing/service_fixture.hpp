// ServiceFixture: what the GraphQL service tests stand on — a real SQLite database in a temporary
// directory with the system migrations, the collection service, a record service (passwords
// "hashed" as plain text, events on a bus of its own) and a GraphqlService over a statement log
// (db/testing/statement_log.hpp) that counts the statements GraphQL runs, mutations wired.
//
// A test class derives from ::testing::Test and this fixture; the members keep the names the
// tests use. Destruction order: a test that runs an io_context its read pool posts to must drop
// database_ before that io_context goes (Database's contract), e.g. in its own destructor.
//
// Thread safety: one test thread; the database's own threads as db::Database says.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/testing/statement_log.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/graphql/graphql_service.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/records/event_bus.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::graphql::testing {

// No hashing: the record service only needs a password port for auth records.
class PlainTextPasswords final : public records::PasswordPort {
 public:
  boost::asio::awaitable<std::string> hash(std::string plain, std::string_view) const override;
  boost::asio::awaitable<bool> verify(std::string plain, std::string stored,
                                      std::string_view) const override;
};

class ServiceFixture {
 public:
  ServiceFixture();
  virtual ~ServiceFixture();
  ServiceFixture(const ServiceFixture&) = delete;
  ServiceFixture& operator=(const ServiceFixture&) = delete;

  // Creates a collection from its JSON definition (as POST /api/collections takes it).
  void create_collection(const std::string& definition);
  std::shared_ptr<const collections::Catalog> current_catalog() const;
  // The superuser caller (its record: superuser_record_); borrows from `catalog`.
  records::Caller superuser_of(const collections::Catalog& catalog) const;
  // Creates a record of `collection` from `body` (JSON) as a superuser; returns its id.
  std::string create_record(std::string_view collection, const std::string& body);

 protected:
  core::ManualClock clock_{std::chrono::system_clock::time_point{}};
  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<db::testing::StatementLog> log_;  // counts the GraphQL reads
  std::vector<db::Migration> migrations_;
  std::unique_ptr<collections::CollectionService> collections_;
  query::PlanCache plans_;
  PlainTextPasswords passwords_;
  records::EventBus events_;
  std::unique_ptr<records::RecordService> records_;
  std::unique_ptr<GraphqlService> service_;
  boost::json::object superuser_record_{{"id", "su0000000000001"}};
};

}  // namespace basalt::graphql::testing
