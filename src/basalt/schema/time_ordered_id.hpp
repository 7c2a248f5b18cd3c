// Record ids that sort by creation time (docs/records.md, "Record ids").
//
// PocketBase's default id is 15 random characters of [a-z0-9]. A primary-key index on random
// keys sends every insert to a random leaf page, so a transaction of N creates dirties about N
// pages of that index, and the WAL and the checkpointer write each of them out again: with
// 100,000 posts, 5 KiB of WAL per created post, most of the disk traffic of a create. Basalt's
// default ids keep PocketBase's shape and alphabet but start with the time, so that the index
// grows at its right edge like the table:
//   - 8 base-36 digits of milliseconds since 2020-01-01T00:00:00Z (they last until 2109; later
//     times are written as the last millisecond they can hold), digits before letters so that
//     byte order is time order;
//   - 7 random base-36 digits (36^7 ≈ 7.8e10 per millisecond, from the kernel's CSPRNG).
//
// Invariant: no id repeats within a process. The ids given in the current millisecond are kept
// (at most kIdsPerMillisecond), a drawn suffix already given is drawn again, and time never goes
// back: a clock set back, or a millisecond that has given kIdsPerMillisecond ids, continues from
// the last millisecond used (the next one for a full one). Across processes (several instances
// on one PostgreSQL) two ids of one millisecond meet with probability ≈ n_a·n_b / 7.8e10; the
// primary key then refuses the second, and its create answers 400 like any taken id.
//
// Thread-safe: one mutex guards the millisecond and its ids (held for a short scan).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace basalt::schema {

// Most ids one millisecond gives before the next millisecond is borrowed (1,024,000 ids/s).
inline constexpr std::size_t kIdsPerMillisecond = 1024;

// One sequence of ids unique among themselves; the process uses one (new_time_ordered_id).
class TimeOrderedIds {
 public:
  // A new 15-character id for a record created at `unix_millis` (milliseconds since 1970).
  std::string next(std::int64_t unix_millis);

 private:
  std::mutex mutex_;
  std::uint64_t current_ = 0;            // milliseconds since 2020 of the ids being given
  std::vector<std::uint64_t> suffixes_;  // given in current_; capacity kept between milliseconds
};

// The process's next id (one TimeOrderedIds shared by every thread).
std::string new_time_ordered_id(std::int64_t unix_millis);

// Appends `value` as `digits` base-36 digits of [0-9a-z], most significant first, zero-padded
// (higher digits are dropped). Time-ordered ids of other tables share this encoding.
void append_base36(std::string& out, std::uint64_t value, std::size_t digits);

}  // namespace basalt::schema
