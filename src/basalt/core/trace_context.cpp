#include "basalt/core/trace_context.hpp"

#include <random>

namespace basalt::core {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Lowercase hex only: the specification forbids uppercase.
int lower_hex(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

template <std::size_t N>
bool read_hex(std::string_view text, std::array<std::uint8_t, N>& out) noexcept {
  if (text.size() != 2 * N) return false;
  bool any = false;
  for (std::size_t i = 0; i < N; ++i) {
    const int high = lower_hex(text[2 * i]);
    const int low = lower_hex(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<std::uint8_t>(high * 16 + low);
    any = any || out[i] != 0;
  }
  return any;  // all zeros is invalid for both ids
}

template <std::size_t N, std::size_t M>
void write_hex(const std::array<std::uint8_t, N>& id, char* out) noexcept {
  static_assert(M == 2 * N);
  for (std::size_t i = 0; i < N; ++i) {
    out[2 * i] = kHexDigits[id[i] >> 4];
    out[2 * i + 1] = kHexDigits[id[i] & 0x0f];
  }
}

std::mt19937_64& thread_generator() noexcept {
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return generator;
}

template <std::size_t N>
std::array<std::uint8_t, N> random_id() noexcept {
  std::array<std::uint8_t, N> id{};
  auto& generator = thread_generator();
  do {
    for (std::size_t i = 0; i < N; i += 8) {
      std::uint64_t word = generator();
      for (std::size_t j = 0; j < 8 && i + j < N; ++j) {
        id[i + j] = static_cast<std::uint8_t>(word >> (8 * j));
      }
    }
  } while (id == std::array<std::uint8_t, N>{});
  return id;
}

}  // namespace

std::optional<TraceParent> parse_traceparent(std::string_view header) noexcept {
  // version "-" trace-id "-" parent-id "-" flags
  constexpr std::size_t kLength = 55;
  if (header.size() < kLength) return std::nullopt;
  const int v_high = lower_hex(header[0]);
  const int v_low = lower_hex(header[1]);
  if (v_high < 0 || v_low < 0) return std::nullopt;
  const int version = v_high * 16 + v_low;
  if (version == 0xff) return std::nullopt;
  if (version == 0 && header.size() != kLength) return std::nullopt;
  if (version > 0 && header.size() > kLength && header[kLength] != '-') return std::nullopt;
  if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  TraceParent parent;
  if (!read_hex(header.substr(3, 32), parent.trace_id)) return std::nullopt;
  if (!read_hex(header.substr(36, 16), parent.parent_id)) return std::nullopt;
  const int f_high = lower_hex(header[53]);
  const int f_low = lower_hex(header[54]);
  if (f_high < 0 || f_low < 0) return std::nullopt;
  parent.flags = static_cast<std::uint8_t>(f_high * 16 + f_low);
  return parent;
}

std::string_view checked_tracestate(std::string_view header) noexcept {
  constexpr std::size_t kMaxBytes = 512;
  constexpr std::size_t kMaxMembers = 32;
  if (header.empty() || header.size() > kMaxBytes) return {};
  std::size_t members = 1;
  for (char c : header) {
    if (c == ',') ++members;
    // Printable ASCII only (the specification's value and key characters, and list spaces).
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return {};
  }
  if (members > kMaxMembers) return {};
  return header;
}

void to_hex(const TraceId& id, std::array<char, 32>& out) noexcept {
  write_hex<16, 32>(id, out.data());
}

void to_hex(const SpanId& id, std::array<char, 16>& out) noexcept {
  write_hex<8, 16>(id, out.data());
}

std::array<char, 55> format_traceparent(const TraceId& trace, const SpanId& span,
                                        std::uint8_t flags) noexcept {
  std::array<char, 55> out{};
  out[0] = '0';
  out[1] = '0';
  out[2] = '-';
  write_hex<16, 32>(trace, out.data() + 3);
  out[35] = '-';
  write_hex<8, 16>(span, out.data() + 36);
  out[52] = '-';
  out[53] = kHexDigits[flags >> 4];
  out[54] = kHexDigits[flags & 0x0f];
  return out;
}

TraceId random_trace_id() noexcept {
  return random_id<16>();
}

SpanId random_span_id() noexcept {
  return random_id<8>();
}

}  // namespace basalt::core
