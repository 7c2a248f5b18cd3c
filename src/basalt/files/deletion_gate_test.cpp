// DeletionGate: removals go straight through when no backup holds the gate, wait while one
// does, and run when the last hold ends.
#include "basalt/files/deletion_gate.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace basalt::files {
namespace {

// Records the removals it is asked for; nothing else is used by the gate.
class RecordingStorage final : public Storage {
 public:
  std::string_view kind() const noexcept override { return "recording"; }
  void put_file(std::string_view, const std::filesystem::path&, std::string_view) override {}
  std::optional<ObjectInfo> stat(std::string_view) override { return std::nullopt; }
  std::string read_range(std::string_view, std::uint64_t, std::uint64_t) override { return {}; }
  std::optional<std::filesystem::path> local_path(std::string_view) override {
    return std::nullopt;
  }
  void remove(std::string_view key) override { removed.push_back(std::string(key)); }
  void remove_prefix(std::string_view prefix) override {
    removed.push_back(std::string(prefix) + "/*");
  }
  std::vector<std::string> list(std::string_view) override { return {}; }

  std::vector<std::string> removed;
};

TEST(DeletionGateTest, RemovesAtOnceWhenNotHeld) {
  RecordingStorage storage;
  DeletionGate gate(storage);
  gate.remove("c/r/a.png");
  gate.remove_prefix("c/r");
  EXPECT_EQ(storage.removed, (std::vector<std::string>{"c/r/a.png", "c/r/*"}));
}

TEST(DeletionGateTest, HoldsRemovalsUntilTheLastHoldEnds) {
  RecordingStorage storage;
  DeletionGate gate(storage);
  {
    std::optional<DeletionGate::Hold> outer(std::in_place, gate);
    {
      DeletionGate::Hold inner(gate);
      gate.remove("c/r/a.png");
    }
    gate.remove_prefix("c/s");
    EXPECT_TRUE(storage.removed.empty());
    EXPECT_EQ(gate.queued(), 2u);
    outer.reset();
    EXPECT_EQ(storage.removed, (std::vector<std::string>{"c/r/a.png", "c/s/*"}));
  }
  EXPECT_EQ(gate.queued(), 0u);
  gate.remove("c/r/b.png");  // not held any more
  EXPECT_EQ(storage.removed.back(), "c/r/b.png");
}

}  // namespace
}  // namespace basalt::files
