// The case-insensitive email index migration and the startup check for case-variant emails,
// against a real SQLite database (issue M1.6 item 10).
#include "basalt/collections/email_index.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "basalt/collections/collection_service.hpp"
#include "basalt/collections/testing/collection_service_fixture.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::collections {
namespace {

using db::testing::sync_wait;

class EmailIndexTest : public testing::CollectionServiceFixture {
 protected:
  // An auth collection with PocketBase's case-sensitive email index (as imported data has it).
  void create_case_sensitive(const std::string& name) {
    sync_wait(service_->create(boost::json::parse(
        R"({"type":"auth","name":")" + name + R"(","indexes":["CREATE UNIQUE INDEX `idx_)" + name +
        R"(_email` ON `)" + name + R"(` (`email`) WHERE `email` != ''"]})")));
  }

  void insert(const std::string& collection, const std::string& id, const std::string& email) {
    sync_wait(database_->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      co_await tx.execute("INSERT INTO \"" + collection +
                              "\" (id, email, password, tokenKey) VALUES (?1, ?2, 'x', ?1)",
                          id, email);
    }));
  }

  bool migrate() {
    bool changed = false;
    sync_wait(database_->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      changed = co_await make_email_indexes_case_insensitive(tx, database_->dialect());
    }));
    sync_wait(service_->reload());
    return changed;
  }

  std::string index_sql(const std::string& name) {
    db::ResultSet rows = sync_wait(
        database_->query("SELECT sql FROM sqlite_master WHERE name = ?1", std::string(name)));
    return rows.empty() ? std::string() : std::string(rows[0].as_text(0));
  }

  std::vector<std::string> case_variants() {
    return sync_wait(case_variant_email_collections(*database_, *service_->catalog()));
  }
};

TEST_F(EmailIndexTest, NewAuthCollectionsAndSuperusersAreCaseInsensitive) {
  sync_wait(service_->create(boost::json::parse(R"({"type":"auth","name":"members"})")));
  EXPECT_NE(index_sql("idx_email_" + service_->catalog()->find("members")->id)
                .find("`email` COLLATE NOCASE"),
            std::string::npos);
  EXPECT_NE(index_sql("idx_email_pbc_3142635823").find("COLLATE NOCASE"), std::string::npos);
  insert("members", "a", "Dana@Example.com");
  EXPECT_THROW(insert("members", "b", "dana@example.com"), db::ConstraintError);
  EXPECT_FALSE(migrate());  // nothing left to migrate
}

TEST_F(EmailIndexTest, ACleanCaseSensitiveIndexIsMigratedAndOneWithDuplicatesIsKept) {
  create_case_sensitive("clean");
  create_case_sensitive("dup");
  insert("clean", "a", "Ann@Example.com");
  insert("clean", "b", "bob@example.com");
  insert("clean", "c", "");
  insert("clean", "d", "");  // empty emails are outside the index
  insert("dup", "a", "Dana@Example.com");
  insert("dup", "b", "dana@example.com");
  EXPECT_EQ(case_variants(), std::vector<std::string>{"dup"});

  EXPECT_TRUE(migrate());
  const schema::Collection& clean = *service_->catalog()->find("clean");
  EXPECT_EQ(clean.indexes.front(),
            "CREATE UNIQUE INDEX `idx_clean_email` ON `clean` (`email` COLLATE NOCASE) WHERE "
            "`email` != ''");
  EXPECT_NE(index_sql("idx_clean_email").find("COLLATE NOCASE"), std::string::npos);
  EXPECT_THROW(insert("clean", "e", "ann@example.com"), db::ConstraintError);
  EXPECT_EQ(index_sql("idx_dup_email").find("NOCASE"), std::string::npos);
  EXPECT_EQ(case_variants(), std::vector<std::string>{"dup"});  // still named at every start
}

}  // namespace
}  // namespace basalt::collections
