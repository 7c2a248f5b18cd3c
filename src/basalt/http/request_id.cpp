#include "basalt/http/request_id.hpp"

#include <cstdint>
#include <random>

namespace basalt::http {
namespace {

// xoshiro256**: fast, 256-bit state, good statistical quality; not for secrets.
class Xoshiro256 {
 public:
  Xoshiro256() {
    std::random_device device;
    for (auto& word : state_) {
      word = (static_cast<std::uint64_t>(device()) << 32) ^ device();
    }
  }
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

bool is_id_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '+' || c == '=' || c == '/' || c == '-';
}

}  // namespace

bool is_valid_request_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    if (!is_id_char(c)) return false;
  }
  return true;
}

std::string generate_request_id() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  static constexpr std::size_t kLength = 20;
  thread_local Xoshiro256 rng;
  std::string id(kLength, '\0');
  // One 64-bit draw per character: the modulo bias is below 2^-58.
  for (auto& c : id) c = kAlphabet[rng.next() % 36];
  return id;
}

}  // namespace basalt::http
