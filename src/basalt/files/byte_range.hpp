// Range requests on served files (docs/files.md, "Serving"): the `Range` header read as Go's
// http.ServeContent reads it (PocketBase serves files with it), except that a request for
// several ranges is answered with the whole file (200) instead of multipart/byteranges - RFC
// 9110 §14.2 lets a server ignore Range, and no client of this API asks for several.
#pragma once

#include <cstdint>
#include <string_view>

namespace basalt::files {

struct ByteRange {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

enum class RangeOutcome {
  kWhole,          // no Range (or several ranges): 200 with the whole object
  kPartial,        // one satisfiable range: 206 with `range`
  kUnsatisfiable,  // 416 with `Content-Range: bytes */<size>` (malformed, or past the end)
};

struct RangeDecision {
  RangeOutcome outcome = RangeOutcome::kWhole;
  ByteRange range;  // kPartial only
};

// `header` is the Range value ("" when absent) for an object of `size` bytes. As in Go: a
// header that is not "bytes=" followed by well-formed ranges is unsatisfiable; a range that
// starts at or past the end is skipped, and unsatisfiable when none is left; an end past the
// object is cut to it; a suffix range (`-N`) takes the last N bytes (all of them when N is
// larger, none when N is 0 - which is unsatisfiable); ranges adding up to more than the object
// are ignored (200).
RangeDecision decide_range(std::string_view header, std::uint64_t size);

}  // namespace basalt::files
