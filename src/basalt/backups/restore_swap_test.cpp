// The restore swap's state machine (restore_swap.hpp): the whole path, the revert, and a crash
// injected before every step of both, each finished by the next start.
#include "basalt/backups/restore_swap.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "basalt/backups/testing/file_bytes.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::backups {
namespace {

using testing::read_file;
using testing::write_file;

struct Crash {};

class RestoreSwapTest : public ::testing::Test {
 protected:
  RestoreSwapTest() {
    write_file(data() / "data.db", "old db");
    write_file(data() / "data.db-wal", "old wal");
    write_file(data() / "storage/c/r/old.txt", "old file");
    write_file(data() / "backups/b.zip", "an archive");
    write_file(data() / ".lock", "123");
    write_file(data() / ".basalt_tmp/x/data.db", "new db");
    write_file(data() / ".basalt_tmp/x/storage/c/r/new.txt", "new file");
  }
  std::filesystem::path data() const { return dir_.path(); }
  void stage() { RestoreSwap(data()).stage(data() / ".basalt_tmp/x"); }

  void expect_old() const {
    EXPECT_EQ(read_file(data() / "data.db"), "old db");
    EXPECT_EQ(read_file(data() / "data.db-wal"), "old wal");
    EXPECT_EQ(read_file(data() / "storage/c/r/old.txt"), "old file");
    EXPECT_FALSE(std::filesystem::exists(data() / "storage/c/r/new.txt"));
    expect_untouched();
  }
  void expect_new() const {
    EXPECT_EQ(read_file(data() / "data.db"), "new db");
    EXPECT_FALSE(std::filesystem::exists(data() / "data.db-wal"));
    EXPECT_EQ(read_file(data() / "storage/c/r/new.txt"), "new file");
    EXPECT_FALSE(std::filesystem::exists(data() / "storage/c/r/old.txt"));
    expect_untouched();
  }
  void expect_untouched() const {
    EXPECT_EQ(read_file(data() / "backups/b.zip"), "an archive");
    EXPECT_EQ(read_file(data() / ".lock"), "123");
  }
  bool restore_dir() const { return std::filesystem::exists(data() / ".restore"); }

  db::testing::TempDir dir_;
};

TEST_F(RestoreSwapTest, StagesThenSwapsAtTheNextStartAndCommits) {
  stage();
  expect_old();  // staging replaces nothing
  EXPECT_EQ(RestoreSwap(data()).state(), RestoreState::kStaged);
  RestoreSwap swap(data());
  ASSERT_EQ(swap.prepare(), RestoreState::kRestored);
  expect_new();
  EXPECT_EQ(read_file(data() / ".restore/previous/data.db"), "old db");  // kept until the open
  swap.committed();
  expect_new();
  EXPECT_FALSE(restore_dir());
  EXPECT_EQ(RestoreSwap(data()).prepare(), RestoreState::kNone);
}

TEST_F(RestoreSwapTest, RevertPutsThePreviousDataBack) {
  stage();
  RestoreSwap swap(data());
  ASSERT_EQ(swap.prepare(), RestoreState::kRestored);
  write_file(data() / "data.db-shm", "made by the failed open");
  swap.revert();
  expect_old();
  EXPECT_FALSE(std::filesystem::exists(data() / "data.db-shm"));
  EXPECT_FALSE(restore_dir());
}

TEST_F(RestoreSwapTest, UnfinishedStagingIsDropped) {
  write_file(data() / ".restore/incoming/data.db", "half");  // no STATE: staging never ended
  EXPECT_EQ(RestoreSwap(data()).prepare(), RestoreState::kNone);
  EXPECT_FALSE(restore_dir());
  expect_old();
}

TEST_F(RestoreSwapTest, RefusesASecondStaging) {
  stage();
  write_file(data() / ".basalt_tmp/y/data.db", "other");
  EXPECT_THROW(RestoreSwap(data()).stage(data() / ".basalt_tmp/y"), std::runtime_error);
  EXPECT_EQ(read_file(data() / ".restore/incoming/data.db"), "new db");
}

// A crash in the middle of a move: some items moved aside, the others not yet.
TEST_F(RestoreSwapTest, CrashInTheMiddleOfMovingOutIsFinished) {
  stage();
  std::filesystem::create_directories(data() / ".restore/previous");
  std::filesystem::rename(data() / "data.db", data() / ".restore/previous/data.db");
  std::ofstream(data() / ".restore/STATE") << "moving-out\n";
  RestoreSwap swap(data());
  ASSERT_EQ(swap.prepare(), RestoreState::kRestored);
  EXPECT_EQ(read_file(data() / ".restore/previous/data.db-wal"), "old wal");
  swap.revert();
  expect_old();
}

// Crashes (an exception from the step hook) before each step; a fresh RestoreSwap — the next
// start — then finishes the job. `commit`: the restored data opens; otherwise it does not.
class RestoreSwapCrashTest : public RestoreSwapTest,
                             public ::testing::WithParamInterface<std::tuple<RestoreState, bool>> {
};

TEST_P(RestoreSwapCrashTest, NextStartFinishesAfterACrashAtEveryStep) {
  const auto [crash_at, commit] = GetParam();
  stage();
  struct Context {
    RestoreState at;
    bool fired = false;
  } context{crash_at};
  RestoreSwap crashing(data());
  crashing.set_step_hook(
      [](RestoreState state, void* raw) {
        auto* c = static_cast<Context*>(raw);
        if (state == c->at && !c->fired) {
          c->fired = true;
          throw Crash{};
        }
      },
      &context);
  try {
    if (crashing.prepare() == RestoreState::kRestored) {
      if (commit) {
        crashing.committed();
      } else {
        crashing.revert();
      }
    }
  } catch (const Crash&) {
  }
  ASSERT_TRUE(context.fired) << to_string(crash_at);

  // The next start: everything the crash left is finished; a restored state awaits its open.
  RestoreSwap next(data());
  if (next.prepare() == RestoreState::kRestored) {
    if (commit) {
      next.committed();
    } else {
      next.revert();
    }
  }
  EXPECT_FALSE(restore_dir());
  if (commit) {
    expect_new();
  } else {
    expect_old();
  }
}

INSTANTIATE_TEST_SUITE_P(EveryStep, RestoreSwapCrashTest,
                         ::testing::Values(std::tuple{RestoreState::kStaged, true},
                                           std::tuple{RestoreState::kMovingOut, true},
                                           std::tuple{RestoreState::kMovingIn, true},
                                           std::tuple{RestoreState::kRestored, true},
                                           std::tuple{RestoreState::kCommitted, true},
                                           std::tuple{RestoreState::kStaged, false},
                                           std::tuple{RestoreState::kMovingOut, false},
                                           std::tuple{RestoreState::kMovingIn, false},
                                           std::tuple{RestoreState::kRestored, false},
                                           std::tuple{RestoreState::kRevertingOut, false},
                                           std::tuple{RestoreState::kRevertingIn, false}));

}  // namespace
}  // namespace basalt::backups
