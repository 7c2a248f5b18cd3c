// ReadConnections: one connection per thread, closed when the thread exits or when the
// registry goes, whichever comes first.
#include "basalt/db/sqlite/read_connections.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::db::sqlite {
namespace {

class ReadConnectionsTest : public ::testing::Test {
 protected:
  ReadConnectionsTest() {
    options_.statement_timeout = std::chrono::seconds(5);
    options_.cache_bytes = 1 << 20;
    options_.statement_cache_capacity = 4;
    path_ = (dir_.path() / "data.db").string();
    writer_ = std::make_unique<Connection>(path_, ConnectionRole::kWriter, options_);
  }

  testing::TempDir dir_;
  ConnectionOptions options_;
  std::string path_;
  std::unique_ptr<Connection> writer_;
};

TEST_F(ReadConnectionsTest, OneConnectionPerThreadClosedWhenTheThreadExits) {
  auto reads = ReadConnections::create(path_, options_);
  Connection& mine = reads->for_this_thread();
  EXPECT_EQ(&reads->for_this_thread(), &mine);
  EXPECT_EQ(reads->open_count(), 1u);

  const Connection* theirs = nullptr;
  std::size_t open_while_running = 0;
  std::thread other([&] {
    theirs = &reads->for_this_thread();
    open_while_running = reads->open_count();
  });
  other.join();
  EXPECT_NE(theirs, &mine);
  EXPECT_EQ(open_while_running, 2u);
  EXPECT_EQ(reads->open_count(), 1u);  // the thread's exit closed its connection
}

TEST_F(ReadConnectionsTest, ARegistryDestroyedFirstLeavesThreadsUnharmed) {
  std::promise<void> opened;
  std::promise<void> registry_gone;
  auto reads = ReadConnections::create(path_, options_);
  std::thread other([&] {
    reads->for_this_thread().query("SELECT 1", {});
    opened.set_value();
    registry_gone.get_future().wait();
    // A new registry (perhaps at the same address) must get a connection of its own.
    auto again = ReadConnections::create(path_, options_);
    EXPECT_EQ(again->for_this_thread().query("SELECT 2", {})[0].as_int(0), 2);
    EXPECT_EQ(again->open_count(), 1u);
  });  // ...and the thread's exit must not touch the destroyed registry
  opened.get_future().wait();
  reads.reset();
  registry_gone.set_value();
  other.join();
}

TEST_F(ReadConnectionsTest, EachRegistryHasItsOwnConnectionOnAThread) {
  auto first = ReadConnections::create(path_, options_);
  auto second = ReadConnections::create(path_, options_);
  EXPECT_NE(&first->for_this_thread(), &second->for_this_thread());
  EXPECT_EQ(first->open_count(), 1u);
  EXPECT_EQ(second->open_count(), 1u);
}

}  // namespace
}  // namespace basalt::db::sqlite
