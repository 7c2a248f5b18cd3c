// Conversions between db::Value and PostgreSQL's wire formats, for the connection (pg_connection).
//
// Parameters travel in text format, except Blob, which travels in binary format (the bytes as
// they are, for a bytea). Result columns arrive in text format and become the Value their
// column type OID calls for: integers (int2/int4/int8/oid) -> int64, bool -> 0/1, float4/
// float8 -> double, numeric -> int64 when it is a whole number that fits, else double,
// bytea -> Blob, NULL -> nullptr, everything else (text, varchar, json, jsonb, timestamps,
// uuid...) -> its text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/db/value.hpp"

namespace basalt::db::postgres {

// The type OIDs the conversion tells apart (pg_type.dat; stable across versions).
namespace oid {
inline constexpr unsigned kBool = 16;
inline constexpr unsigned kBytea = 17;
inline constexpr unsigned kInt8 = 20;
inline constexpr unsigned kInt2 = 21;
inline constexpr unsigned kInt4 = 23;
inline constexpr unsigned kOid = 26;
inline constexpr unsigned kFloat4 = 700;
inline constexpr unsigned kFloat8 = 701;
inline constexpr unsigned kNumeric = 1700;
}  // namespace oid

// The parameters of one statement laid out as PQsendQueryPrepared takes them. Owns the text
// of numbers; points into the Params for strings and blobs, so `params` must outlive it.
class BoundParams {
 public:
  // Throws core::ApiError 400 for text holding a NUL character (PostgreSQL's text cannot), and
  // DatabaseError past 65,535 parameters (the protocol's limit).
  explicit BoundParams(const Params& params);

  int size() const noexcept { return static_cast<int>(values_.size()); }
  const char* const* values() const noexcept { return values_.data(); }
  const int* lengths() const noexcept { return lengths_.data(); }
  const int* formats() const noexcept { return formats_.data(); }

 private:
  std::vector<std::string> numbers_;  // reserved up front: values_ points into it
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// One result cell in text format (`text` null for SQL NULL) as the Value its type calls for.
// Throws DatabaseError for text the type cannot hold (a bytea not in hex format).
Value value_from_text(unsigned type, const char* text, std::size_t length);

}  // namespace basalt::db::postgres
