// The `db` setting: which texts it accepts, and the URL as logs show it (no password).
#include "basalt/core/database_url.hpp"

#include <gtest/gtest.h>

#include <string>

#include "basalt/core/config.hpp"

namespace basalt::core {
namespace {

TEST(DatabaseUrlTest, EmptyMeansSqlite) {
  EXPECT_EQ(parse_database_url(""), "");
  EXPECT_FALSE(is_postgres_url(""));
}

TEST(DatabaseUrlTest, PostgresSchemesAreKeptUnchanged) {
  for (const std::string url : {"postgres://basalt@127.0.0.1:5432/app",
                                "postgresql://u:p%40ss@db.internal/app?sslmode=require",
                                "postgres://", "postgresql:///app?host=/run/postgresql"}) {
    EXPECT_EQ(parse_database_url(url), url);
    EXPECT_TRUE(is_postgres_url(url));
  }
}

TEST(DatabaseUrlTest, OtherTextIsRefusedWithoutQuotingIt) {
  for (const std::string text : {"mysql://root:hunter2@db/app", "host=db password=hunter2",
                                 "POSTGRES://u:hunter2@db/app", "data.db", "sqlite://x"}) {
    try {
      parse_database_url(text);
      ADD_FAILURE() << "accepted " << text;
    } catch (const ConfigError& error) {
      EXPECT_EQ(std::string(error.what()).find("hunter2"), std::string::npos) << error.what();
    }
  }
}

TEST(DatabaseUrlTest, ErrorSaysWhatIsExpected) {
  try {
    parse_database_url("mysql://root@db/app");
    ADD_FAILURE() << "accepted a mysql URL";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("postgres://"), std::string::npos) << error.what();
  }
}

TEST(DatabaseUrlTest, SpacesControlCharactersAndOversizeAreRefused) {
  EXPECT_THROW(parse_database_url("postgres://u:p w@db/app"), ConfigError);
  EXPECT_THROW(parse_database_url("postgres://db/app\n"), ConfigError);
  EXPECT_THROW(parse_database_url(std::string("postgres://db/a\0b", 17)), ConfigError);
  const std::string longest = "postgres://db/" + std::string(kMaxDatabaseUrlBytes - 14, 'a');
  EXPECT_EQ(parse_database_url(longest), longest);
  EXPECT_THROW(parse_database_url(longest + "a"), ConfigError);
}

TEST(DatabaseUrlTest, MaskHidesTheUserPartsPassword) {
  EXPECT_EQ(masked_database_url("postgres://basalt:s3cret@db.internal:5432/app"),
            "postgres://basalt:***@db.internal:5432/app");
  EXPECT_EQ(masked_database_url("postgresql://basalt:s3cret@db/app?sslmode=require"),
            "postgresql://basalt:***@db/app?sslmode=require");
  // An unencoded '/', '@' or '#' in the password is masked whole.
  EXPECT_EQ(masked_database_url("postgres://u:a/b@c#d@db/app"), "postgres://u:***@db/app");
}

TEST(DatabaseUrlTest, MaskHidesPasswordParameters) {
  EXPECT_EQ(masked_database_url("postgres://u@db/app?password=s3cret"),
            "postgres://u@db/app?password=***");
  EXPECT_EQ(masked_database_url("postgres://db/app?sslmode=disable&password=s3cret&user=u"),
            "postgres://db/app?sslmode=disable&password=***&user=u");
  EXPECT_EQ(masked_database_url("postgres://u:one@db/app?password=two"),
            "postgres://u:***@db/app?password=***");
}

TEST(DatabaseUrlTest, MaskLeavesUrlsWithoutPasswordAlone) {
  for (const std::string url :
       {"postgres://basalt@127.0.0.1:55432/basalt_test", "postgres://db/app", "postgres://",
        "postgres://[::1]:5432/app", "postgresql:///app?host=/run/postgresql"}) {
    EXPECT_EQ(masked_database_url(url), url);
  }
}

TEST(ClusterBusUrl, AcceptsRedisAndNatsUrlsOnly) {
  EXPECT_EQ(parse_cluster_bus_url(""), "");
  EXPECT_EQ(parse_cluster_bus_url("redis://:pw@127.0.0.1:6379/app"),
            "redis://:pw@127.0.0.1:6379/app");
  EXPECT_EQ(parse_cluster_bus_url("nats://10.0.0.1:4222"), "nats://10.0.0.1:4222");
  EXPECT_THROW(parse_cluster_bus_url("amqp://host"), ConfigError);
  EXPECT_THROW(parse_cluster_bus_url("redis://host /x"), ConfigError);
  EXPECT_THROW(parse_cluster_bus_url("redis://" + std::string(kMaxDatabaseUrlBytes, 'h')),
               ConfigError);
}

}  // namespace
}  // namespace basalt::core
