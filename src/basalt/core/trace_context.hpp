// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` and `tracestate`
// headers as Basalt reads them from requests and writes them on the requests it makes
// (docs/observability.md, "Traces").
//
//   traceparent: 00-<trace-id: 32 lowercase hex>-<parent-id: 16 lowercase hex>-<flags: 2 hex>
//
// Parsing follows the specification's rules: an all-zero trace id or parent id, uppercase hex,
// a wrong length or separator, or version ff make the header invalid, and an invalid header is
// ignored (a new trace starts). A version above 00 is read by its first four fields when they
// have version 00's shape and are followed by the end or a '-' (forward compatibility).
// `tracestate` is kept only with a valid traceparent, at most 512 bytes and 32 list members,
// otherwise dropped whole.
//
// Everything here works in fixed arrays: no allocation, so an unsampled request pays nothing
// but the parse. Thread safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace basalt::core {

using TraceId = std::array<std::uint8_t, 16>;
using SpanId = std::array<std::uint8_t, 8>;

inline constexpr std::uint8_t kTraceFlagSampled = 0x01;

struct TraceParent {
  TraceId trace_id{};
  SpanId parent_id{};
  std::uint8_t flags = 0;
  bool sampled() const noexcept { return (flags & kTraceFlagSampled) != 0; }
};

// nullopt for an invalid header (see above).
std::optional<TraceParent> parse_traceparent(std::string_view header) noexcept;
// `tracestate` when it may be propagated, else empty (see above).
std::string_view checked_tracestate(std::string_view header) noexcept;

// Lowercase hex of an id, into `out` (32 or 16 characters).
void to_hex(const TraceId& id, std::array<char, 32>& out) noexcept;
void to_hex(const SpanId& id, std::array<char, 16>& out) noexcept;

// "00-<trace>-<span>-<flags>", 55 characters: the header of an outgoing request.
std::array<char, 55> format_traceparent(const TraceId& trace, const SpanId& span,
                                        std::uint8_t flags) noexcept;

// Random non-zero ids from a per-thread generator seeded from the system's entropy. Not for
// secrets.
TraceId random_trace_id() noexcept;
SpanId random_span_id() noexcept;

}  // namespace basalt::core
