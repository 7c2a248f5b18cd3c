// Identifiers: random record ids and secrets, and the deterministic collection and field ids of
// the PocketBase contract (docs/records.md, "A record's JSON"; docs/storage.md, "Defining
// collections").
//
// Randomness comes from libsodium's CSPRNG (randombytes_uniform: uniform, no modulo bias);
// sodium_init() runs once, on first use, from any thread. Every function here is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "basalt/schema/field_type.hpp"

namespace basalt::schema {

enum class CollectionType : std::uint8_t;

// PocketBase's default record id: 15 characters of [a-z0-9].
inline constexpr std::string_view kDefaultIdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
inline constexpr std::size_t kDefaultIdLength = 15;
// The alphabet of token secrets and other random keys: [A-Za-z0-9].
inline constexpr std::string_view kDefaultRandomAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// `length` characters drawn uniformly from `alphabet` (1..2^32-1 distinct bytes; repeated bytes
// simply weigh more). Throws std::runtime_error if libsodium cannot initialise.
std::string random_string(std::size_t length, std::string_view alphabet = kDefaultRandomAlphabet);

// `size` bytes from the kernel's CSPRNG, served from a per-thread pool refilled 4 KiB at a time
// (each byte given out once). Throws std::runtime_error if libsodium cannot initialise. Not
// fork-safe (a forked child would repeat its parent's pool): the server never forks, and a
// restore re-executes the binary.
void random_bytes(void* out, std::size_t size);

// A uniform random integer in [0, upper_bound); upper_bound must be > 0.
std::uint32_t random_uniform(std::uint32_t upper_bound);

// A random id of the default record shape: 15 characters of [a-z0-9], all random. For rows
// Basalt makes itself whose ids clients hold (OTP and MFA ids, destinations); the records of
// collections get time-ordered ids from their id field (autogenerate_text, time_ordered_id.hpp).
std::string new_record_id();

// CRC-32 (IEEE 802.3 polynomial, as Go's crc32.ChecksumIEEE).
std::uint32_t crc32_ieee(std::string_view data) noexcept;

// The default id of a collection: "pbc_" + decimal(crc32(type + name)).
// e.g. ("auth", "_superusers") -> "pbc_3142635823".
std::string collection_id_checksum(CollectionType type, std::string_view name);

// The default id of a field: type name + decimal(crc32(field name)), e.g. "text3208210256".
std::string field_id_checksum(FieldType type, std::string_view name);

}  // namespace basalt::schema
