#include "basalt/db/sqlite/thread_name.hpp"

#include <gtest/gtest.h>

namespace basalt::db::sqlite {
namespace {

TEST(DatabaseThreadName, TheMainDatabaseKeepsTheShortNameAndOthersCarryTheirStem) {
  EXPECT_EQ(database_thread_name("basalt-writer", "basalt-wr-", "/srv/pb_data/data.db"),
            "basalt-writer");
  EXPECT_EQ(database_thread_name("basalt-writer", "basalt-wr-", "/srv/pb_data/auxiliary.db"),
            "basalt-wr-auxil");  // cut to the 15 characters a Linux thread name keeps
  EXPECT_EQ(database_thread_name("basalt-ckpt", "basalt-ck-", "logs.db"), "basalt-ck-logs");
}

}  // namespace
}  // namespace basalt::db::sqlite
