#include "basalt/query/arena.hpp"

#include <algorithm>

namespace basalt::query {

Arena::Arena(Arena&& other) noexcept
    : blocks_(std::move(other.blocks_)),
      next_(std::exchange(other.next_, nullptr)),
      left_(std::exchange(other.left_, 0)),
      next_block_size_(other.next_block_size_),
      bytes_used_(std::exchange(other.bytes_used_, 0)) {
  other.blocks_.clear();
}

Arena& Arena::operator=(Arena&& other) noexcept {
  if (this != &other) {
    blocks_ = std::move(other.blocks_);
    other.blocks_.clear();
    next_ = std::exchange(other.next_, nullptr);
    left_ = std::exchange(other.left_, 0);
    next_block_size_ = other.next_block_size_;
    bytes_used_ = std::exchange(other.bytes_used_, 0);
  }
  return *this;
}

void* Arena::allocate_slow(std::size_t size, std::size_t alignment) {
  // A fresh block: operator new[] aligns to at least alignof(std::max_align_t), and no node
  // type needs more, but pad anyway so any power-of-two alignment is honoured.
  std::size_t block_size = std::max(next_block_size_, size + alignment);
  blocks_.push_back(std::make_unique_for_overwrite<std::byte[]>(block_size));
  next_block_size_ = block_size * 2;
  next_ = blocks_.back().get();
  left_ = block_size;
  return allocate(size, alignment);
}

std::string_view Arena::copy(std::string_view text) {
  if (text.empty()) return {};
  char* out = allocate_chars(text.size());
  std::memcpy(out, text.data(), text.size());
  return {out, text.size()};
}

}  // namespace basalt::query
