#include "basalt/schema/ids.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "basalt/schema/collection.hpp"

namespace basalt::schema {
namespace {

void ensure_sodium() {
  // A function-local static: initialised once, on first use, thread-safely (not a static
  // initializer: nothing runs before main).
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr auto kCrcTable = make_crc_table();

}  // namespace

void random_bytes(void* out, std::size_t size) {
  // Kernel randomness (libsodium's default source: one getrandom system call per request)
  // taken 4 KiB at a time per thread: a system call per record id, event id or log row cost
  // more than making the rest of it. Every byte is handed out once and wiped when taken.
  thread_local std::array<unsigned char, 4096> pool{};
  thread_local std::size_t used = pool.size();
  ensure_sodium();
  auto* to = static_cast<unsigned char*>(out);
  while (size > 0) {
    if (used == pool.size()) {
      randombytes_buf(pool.data(), pool.size());
      used = 0;
    }
    const std::size_t taken = std::min(size, pool.size() - used);
    std::memcpy(to, pool.data() + used, taken);
    sodium_memzero(pool.data() + used, taken);
    used += taken;
    to += taken;
    size -= taken;
  }
}

std::string random_string(std::size_t length, std::string_view alphabet) {
  if (alphabet.empty() || alphabet.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("random_string: bad alphabet size");
  }
  ensure_sodium();
  std::string out(length, '\0');
  auto bound = static_cast<std::uint32_t>(alphabet.size());
  if (bound > 256) {
    for (auto& c : out) c = alphabet[randombytes_uniform(bound)];
    return out;
  }
  // Bytes from random_bytes (no system call per string, nor per character). Bytes at or above
  // the largest multiple of the alphabet size are skipped, so every character stays uniform.
  const unsigned limit = 256 - 256 % bound;
  std::array<unsigned char, 32> random{};
  std::size_t available = 0;
  std::size_t used = 0;
  for (std::size_t filled = 0; filled < length;) {
    if (used == available) {
      available = std::min(random.size(), length - filled + 4);  // a few spare for skips
      random_bytes(random.data(), available);
      used = 0;
    }
    const unsigned byte = random[used++];
    if (byte < limit) out[filled++] = alphabet[byte % bound];
  }
  sodium_memzero(random.data(), random.size());  // a secret's bytes do not stay on the stack
  return out;
}

std::uint32_t random_uniform(std::uint32_t upper_bound) {
  if (upper_bound == 0) throw std::invalid_argument("random_uniform: zero bound");
  ensure_sodium();
  return randombytes_uniform(upper_bound);
}

std::string new_record_id() {
  return random_string(kDefaultIdLength, kDefaultIdAlphabet);
}

std::uint32_t crc32_ieee(std::string_view data) noexcept {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (char ch : data) {
    crc = kCrcTable[(crc ^ static_cast<unsigned char>(ch)) & 0xFFu] ^ (crc >> 8);
  }
  return crc ^ 0xFFFFFFFFu;
}

std::string collection_id_checksum(CollectionType type, std::string_view name) {
  std::string input(collection_type_name(type));
  input += name;
  return "pbc_" + std::to_string(crc32_ieee(input));
}

std::string field_id_checksum(FieldType type, std::string_view name) {
  return std::string(field_type_name(type)) + std::to_string(crc32_ieee(name));
}

}  // namespace basalt::schema
