// ServerKey: the secret key Basalt encrypts small secrets at rest with (today the TOTP secrets,
// docs/auth-flows.md "TOTP"), and the authenticated encryption itself
// (XChaCha20-Poly1305 from libsodium).
//
// The key lives in a file of its own, `<data dir>/server.key` by default: 64 hex characters,
// created on first use with a fresh random key and mode 0600 (owner read/write only), never
// logged. It is deliberately NOT in the database, so a copy of data.db (or a backup archive)
// alone does not reveal the secrets. Losing the file makes every sealed secret unreadable:
// users then have to enroll TOTP again (docs/auth-flows.md, "Key loss").
//
// Sealed form: base64 of nonce (24 bytes) || ciphertext+tag. `context` is authenticated but not
// stored (the row's collection and record ids): a sealed value copied to another row fails to
// open.
//
// Thread safety: immutable after construction; seal/open may run concurrently on any thread.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace basalt::auth {

inline constexpr std::string_view kServerKeyFile = "server.key";

class ServerKey {
 public:
  static constexpr std::size_t kBytes = 32;

  // Reads `path`, or creates it (exclusively, mode 0600) with a new random key when it does
  // not exist. Throws std::runtime_error for a file that cannot be read or created, or that
  // does not hold exactly 64 hex characters (a trailing newline is allowed).
  static ServerKey load_or_create(const std::filesystem::path& path);

  // A key given directly (tests).
  explicit ServerKey(const std::array<unsigned char, kBytes>& key) : key_(key) {}

  std::string seal(std::string_view plaintext, std::string_view context) const;
  // nullopt when `sealed` is malformed, was sealed with another key or another context.
  std::optional<std::string> open(std::string_view sealed, std::string_view context) const;

 private:
  std::array<unsigned char, kBytes> key_;
};

}  // namespace basalt::auth
