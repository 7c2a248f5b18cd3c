// BatchingQueue: bounded, drained in batches by its thread, flush and stop semantics.
#include "basalt/core/batching_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

namespace basalt::core {
namespace {

TEST(BatchingQueueTest, DeliversEveryItemInOrderInBatchesOfAtMostMaxBatch) {
  BatchingQueue<int> queue(
      {.max_queued = 1000, .max_batch = 4, .flush_interval = std::chrono::hours(1)});
  std::mutex mutex;
  std::vector<int> seen;
  std::size_t largest = 0;
  queue.start([&](std::vector<int>& batch) {
    std::lock_guard lock(mutex);
    largest = std::max(largest, batch.size());
    seen.insert(seen.end(), batch.begin(), batch.end());
  });
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(queue.push(i));
  queue.flush();
  // The thread ends before the state its consumer captured goes out of scope (the queue was
  // declared first, so it would be destroyed last); after the join no lock is needed.
  queue.stop();
  ASSERT_EQ(seen.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(seen[i], i);
  EXPECT_GE(largest, 1u);
  EXPECT_EQ(queue.dropped(), 0u);
}

TEST(BatchingQueueTest, DropsAndCountsPastTheBoundWhileTheConsumerIsBusy) {
  BatchingQueue<int> queue(
      {.max_queued = 2, .max_batch = 100, .flush_interval = std::chrono::hours(1)});
  std::mutex gate;
  std::unique_lock hold(gate);  // the consumer blocks on its first round until released
  std::atomic<int> consumed{0};
  queue.start([&](std::vector<int>& batch) {
    std::lock_guard wait(gate);
    consumed += static_cast<int>(batch.size());
  });
  EXPECT_TRUE(queue.push(1));
  EXPECT_TRUE(queue.push(2));
  EXPECT_FALSE(queue.push(3));  // the queue holds 2 while the thread waits (no round due)
  EXPECT_EQ(queue.dropped(), 1u);
  EXPECT_EQ(queue.take_new_drops(), 1u);
  EXPECT_EQ(queue.take_new_drops(), 0u);
  hold.unlock();
  queue.flush();
  EXPECT_EQ(consumed.load(), 2);
  queue.count_dropped(5);
  EXPECT_EQ(queue.dropped(), 6u);
  queue.stop();  // before `gate` and `consumed`, which its consumer uses, go out of scope
}

TEST(BatchingQueueTest, StopDrainsWhatIsQueuedThenRefuses) {
  std::vector<int> seen;
  bool started_first = false;
  BatchingQueue<int> queue(
      {.max_queued = 100, .max_batch = 100, .flush_interval = std::chrono::hours(1)});
  queue.start([&](std::vector<int>& batch) { seen.insert(seen.end(), batch.begin(), batch.end()); },
              [&] { started_first = seen.empty(); });
  for (int i = 0; i < 5; ++i) queue.push(i);
  queue.stop();
  EXPECT_TRUE(started_first);
  EXPECT_EQ(seen.size(), 5u);  // read after join: no race
  EXPECT_FALSE(queue.push(9));
  queue.stop();  // idempotent
}

}  // namespace
}  // namespace basalt::core
