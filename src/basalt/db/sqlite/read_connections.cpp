#include "basalt/db/sqlite/read_connections.hpp"

#include <algorithm>
#include <atomic>

namespace basalt::db::sqlite {
namespace {

std::atomic<std::uint64_t> next_registry_id{1};

// One thread's map from registry id to that thread's connection (invariants 2 and 3). A
// thread rarely reads from more than one database, so a vector scan is the fastest map.
class ThreadIndex {
 public:
  struct Entry {
    std::uint64_t registry_id;
    Connection* connection;
    std::weak_ptr<ReadConnections> registry;
  };

  ~ThreadIndex() {
    for (const Entry& entry : entries_) {
      if (std::shared_ptr<ReadConnections> registry = entry.registry.lock()) {
        registry->release(entry.connection);
      }
    }
  }

  Connection* find(std::uint64_t registry_id) const noexcept {
    for (const Entry& entry : entries_) {
      if (entry.registry_id == registry_id) return entry.connection;
    }
    return nullptr;
  }

  void add(Entry entry) {
    std::erase_if(entries_, [](const Entry& old) { return old.registry.expired(); });
    entries_.push_back(std::move(entry));
  }

 private:
  std::vector<Entry> entries_;
};

thread_local ThreadIndex this_thread_index;

}  // namespace

std::shared_ptr<ReadConnections> ReadConnections::create(std::string path,
                                                         ConnectionOptions options) {
  return std::shared_ptr<ReadConnections>(new ReadConnections(std::move(path), options));
}

ReadConnections::ReadConnections(std::string path, ConnectionOptions options)
    : id_(next_registry_id.fetch_add(1, std::memory_order_relaxed)),
      path_(std::move(path)),
      options_(options) {}

ReadConnections::~ReadConnections() = default;

Connection& ReadConnections::for_this_thread() {
  if (Connection* connection = this_thread_index.find(id_)) return *connection;
  auto connection = std::make_unique<Connection>(path_, ConnectionRole::kReader, options_);
  Connection* raw = connection.get();
  {
    std::lock_guard lock(mutex_);
    connections_.push_back(std::move(connection));
  }
  this_thread_index.add({id_, raw, weak_from_this()});
  return *raw;
}

std::size_t ReadConnections::open_count() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

void ReadConnections::release(const Connection* connection) {
  std::unique_ptr<Connection> closing;
  {
    std::lock_guard lock(mutex_);
    auto found = std::find_if(connections_.begin(), connections_.end(),
                              [&](const auto& owned) { return owned.get() == connection; });
    if (found == connections_.end()) return;
    closing = std::move(*found);
    connections_.erase(found);
  }
  // `closing` closes the connection here, outside the lock.
}

}  // namespace basalt::db::sqlite
