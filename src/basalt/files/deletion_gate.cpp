#include "basalt/files/deletion_gate.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace basalt::files {

void DeletionGate::remove(std::string_view key) {
  submit({std::string(key), false});
}

void DeletionGate::remove_prefix(std::string_view prefix) {
  submit({std::string(prefix), true});
}

void DeletionGate::submit(Removal removal) {
  {
    std::lock_guard lock(mutex_);
    if (holds_ > 0) {
      if (queued_.size() >= kMaxQueued) {
        spdlog::warn("files: {} removals wait for a backup; {} stays as an orphan", kMaxQueued,
                     removal.key);
        return;
      }
      queued_.push_back(std::move(removal));
      return;
    }
  }
  // Not held: removed now, outside the lock (a hold taken meanwhile began after this removal
  // was decided, hence after its commit, which its snapshot already includes).
  if (removal.prefix) {
    storage_.remove_prefix(removal.key);
  } else {
    storage_.remove(removal.key);
  }
}

void DeletionGate::run(const Removal& removal) noexcept {
  try {
    if (removal.prefix) {
      storage_.remove_prefix(removal.key);
    } else {
      storage_.remove(removal.key);
    }
  } catch (const std::exception& error) {
    spdlog::warn("files: cannot remove {} after a backup: {}", removal.key, error.what());
  }
}

DeletionGate::Hold::Hold(DeletionGate& gate) : gate_(gate) {
  std::lock_guard lock(gate_.mutex_);
  ++gate_.holds_;
}

DeletionGate::Hold::~Hold() {
  gate_.release();
}

void DeletionGate::release() {
  std::vector<Removal> due;
  {
    std::lock_guard lock(mutex_);
    if (--holds_ > 0) return;
    due.swap(queued_);
  }
  for (const Removal& removal : due) run(removal);
}

std::size_t DeletionGate::queued() const {
  std::lock_guard lock(mutex_);
  return queued_.size();
}

}  // namespace basalt::files
