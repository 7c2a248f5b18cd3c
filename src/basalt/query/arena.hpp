// Arena: the bump allocator that holds one parsed expression's nodes and strings.
//
// Invariants:
//   1. Memory comes from blocks that never move or shrink until the Arena is destroyed, so
//      pointers, spans and string_views into it stay valid for the Arena's lifetime, across
//      moves of the Arena itself (a move transfers the blocks, not their bytes).
//   2. Only trivially destructible objects live here: nothing is ever destroyed one by one;
//      destroying the Arena frees every block at once.
//   3. A moved-from Arena is empty and may be reused or destroyed.
//
// Thread safety: none; an Arena belongs to one parser, then to the read-only Ast it built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace basalt::query {

class Arena {
 public:
  // `first_block_size` bytes are reserved on the first allocation; later blocks double.
  explicit Arena(std::size_t first_block_size = 1024) noexcept
      : next_block_size_(first_block_size < kMinBlockSize ? kMinBlockSize : first_block_size) {}

  Arena(Arena&& other) noexcept;
  Arena& operator=(Arena&& other) noexcept;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() = default;

  // Uninitialised storage for `size` bytes aligned to `alignment` (a power of two).
  void* allocate(std::size_t size, std::size_t alignment);

  template <typename T, typename... Args>
  T* make(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>, "Arena objects are never destroyed");
    return new (allocate(sizeof(T), alignof(T))) T(std::forward<Args>(args)...);
  }

  // A copy of `items` in the arena; an empty span for no items.
  template <typename T>
  std::span<const T> copy(std::span<const T> items) {
    static_assert(std::is_trivially_copyable_v<T>, "Arena copies are byte copies");
    if (items.empty()) return {};
    void* out = allocate(items.size_bytes(), alignof(T));
    std::memcpy(out, items.data(), items.size_bytes());
    return {static_cast<const T*>(out), items.size()};
  }

  // A copy of `text` in the arena (not NUL-terminated).
  std::string_view copy(std::string_view text);

  // Writable storage for `size` chars, e.g. to build an unescaped string in place.
  char* allocate_chars(std::size_t size) { return static_cast<char*>(allocate(size, 1)); }

  // Bytes handed out so far (for tests and sizing heuristics).
  std::size_t bytes_used() const noexcept { return bytes_used_; }

 private:
  static constexpr std::size_t kMinBlockSize = 256;

  void* allocate_slow(std::size_t size, std::size_t alignment);

  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  std::byte* next_ = nullptr;  // first free byte of the current block
  std::size_t left_ = 0;       // free bytes after next_ in the current block
  std::size_t next_block_size_;
  std::size_t bytes_used_ = 0;
};

inline void* Arena::allocate(std::size_t size, std::size_t alignment) {
  std::size_t padding =
      (alignment - reinterpret_cast<std::uintptr_t>(next_) % alignment) % alignment;
  if (next_ == nullptr || padding + size > left_) return allocate_slow(size, alignment);
  std::byte* out = next_ + padding;
  next_ = out + size;
  left_ -= padding + size;
  bytes_used_ += size;
  return out;
}

}  // namespace basalt::query
