#include "basalt/graphql/testing/service_fixture.hpp"

#include <boost/json/parse.hpp>

#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"

namespace basalt::graphql::testing {

using db::testing::sync_wait;

boost::asio::awaitable<std::string> PlainTextPasswords::hash(std::string plain,
                                                             std::string_view) const {
  co_return "hashed:" + plain;
}

boost::asio::awaitable<bool> PlainTextPasswords::verify(std::string plain, std::string stored,
                                                        std::string_view) const {
  co_return stored == "hashed:" + plain;
}

ServiceFixture::ServiceFixture() {
  db::SqliteOptions options;
  options.data_dir = dir_.path();
  options.statement_timeout = std::chrono::seconds(5);
  database_ = db::open_sqlite(options);
  migrations_ = collections::system_migrations(database_->dialect(), clock_);
  sync_wait(db::apply_migrations(*database_, migrations_));
  collections_ = std::make_unique<collections::CollectionService>(*database_, clock_);
  sync_wait(collections_->reload());
  log_ = std::make_unique<db::testing::StatementLog>(*database_);
  records_ = std::make_unique<records::RecordService>(*database_, *collections_, plans_, passwords_,
                                                      events_, clock_);
  service_ = std::make_unique<GraphqlService>(*log_, *collections_, plans_, clock_,
                                              std::chrono::milliseconds::zero());
  service_->set_record_service(records_.get());
}

ServiceFixture::~ServiceFixture() = default;

void ServiceFixture::create_collection(const std::string& definition) {
  sync_wait(collections_->create(boost::json::parse(definition)));
}

std::shared_ptr<const collections::Catalog> ServiceFixture::current_catalog() const {
  return collections_->catalog();
}

records::Caller ServiceFixture::superuser_of(const collections::Catalog& catalog) const {
  return records::Caller{catalog.find("_superusers"), &superuser_record_};
}

std::string ServiceFixture::create_record(std::string_view collection, const std::string& body) {
  records::WriteInput input;
  input.body = boost::json::parse(body).as_object();
  const auto catalog = current_catalog();
  const records::Caller caller = superuser_of(*catalog);
  return std::string(sync_wait(records_->create(caller, collection, std::move(input), {}))
                         .record.values.at("id")
                         .as_string());
}

}  // namespace basalt::graphql::testing
