#include "basalt/auth/password_hasher.hpp"

#include <crypt.h>
#include <sodium.h>

#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

#include "basalt/auth/sodium.hpp"

namespace basalt::auth {
namespace {

constexpr std::string_view kArgon2idPrefix = "$argon2id$";
constexpr std::string_view kArgon2idHead = "$argon2id$v=19$";
constexpr std::size_t kBcryptHashLength = 60;  // "$2b$10$" + 22 salt + 31 hash characters
constexpr std::size_t kMaxStoredHashLength = crypto_pwhash_STRBYTES - 1;
// The dummy hash's plaintext; nobody can log in with it (it is only checked by verify_dummy).
constexpr std::string_view kDummyPassword = "basalt: no such identity";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads the decimal number at the front of `text` and drops it; nullopt when there is none or it
// has more than 10 digits (far past every cap).
std::optional<std::uint64_t> take_number(std::string_view& text) {
  std::size_t n = 0;
  std::uint64_t value = 0;
  while (n < text.size() && is_digit(text[n])) {
    if (n == 10) return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(text[n] - '0');
    ++n;
  }
  if (n == 0) return std::nullopt;
  text.remove_prefix(n);
  return value;
}

bool take_literal(std::string_view& text, std::string_view literal) {
  if (!text.starts_with(literal)) return false;
  text.remove_prefix(literal.size());
  return true;
}

// "$argon2id$v=19$m=<KiB>,t=<passes>,p=1$..." within the caps (contract 5). The salt and hash
// that follow are libsodium's to check.
bool is_verifiable_argon2id(std::string_view stored) {
  if (stored.size() > kMaxStoredHashLength || !take_literal(stored, kArgon2idHead)) return false;
  if (!take_literal(stored, "m=")) return false;
  auto memory_kib = take_number(stored);
  if (!memory_kib || !take_literal(stored, ",t=")) return false;
  auto iterations = take_number(stored);
  if (!iterations || !take_literal(stored, ",p=")) return false;
  auto lanes = take_number(stored);
  if (!lanes || !take_literal(stored, "$")) return false;
  return *memory_kib <= kMaxArgon2Memory / 1024 && *iterations >= 1 &&
         *iterations <= kMaxArgon2Iterations && *lanes == 1;
}

bool is_bcrypt_char(char c) {
  return c == '.' || c == '/' || is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// "$2a$", "$2b$" or "$2y$", a two-digit cost, '$', then 53 characters of bcrypt's base64.
// ("$2x$" marks hashes made by a buggy implementation and is not accepted.)
bool is_bcrypt(std::string_view stored) {
  if (stored.size() != kBcryptHashLength || !stored.starts_with("$2") || stored[3] != '$' ||
      stored[6] != '$') {
    return false;
  }
  if (stored[2] != 'a' && stored[2] != 'b' && stored[2] != 'y') return false;
  if (!is_digit(stored[4]) || !is_digit(stored[5])) return false;
  for (char c : stored.substr(7)) {
    if (!is_bcrypt_char(c)) return false;
  }
  return true;
}

int bcrypt_cost(std::string_view stored) {
  return (stored[4] - '0') * 10 + (stored[5] - '0');
}

// Owns a copy of secret text, NUL-terminated for C APIs, and wipes it when done.
class SecretCopy {
 public:
  explicit SecretCopy(std::string_view text) : text_(text) {}
  ~SecretCopy() { sodium_memzero(text_.data(), text_.size()); }
  SecretCopy(const SecretCopy&) = delete;
  SecretCopy& operator=(const SecretCopy&) = delete;
  const char* c_str() const noexcept { return text_.c_str(); }

 private:
  std::string text_;
};

}  // namespace

bool meets_owasp_floor(const Argon2Params& params) noexcept {
  struct Minimum {
    std::size_t mib;
    std::uint64_t passes;
  };
  constexpr Minimum kMinimums[] = {{46, 1}, {19, 2}, {12, 3}, {9, 4}, {7, 5}};
  for (const Minimum& minimum : kMinimums) {
    if (params.memory_bytes >= (minimum.mib << 20) && params.iterations >= minimum.passes) {
      return true;
    }
  }
  return false;
}

PasswordHasher::PasswordHasher(Argon2Params params) : params_(params) {
  init_sodium();
  if (params_.iterations < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      params_.iterations > kMaxArgon2Iterations) {
    throw std::invalid_argument("argon2id iterations must be between 1 and 16");
  }
  if (params_.memory_bytes < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      params_.memory_bytes > kMaxArgon2Memory) {
    throw std::invalid_argument("argon2id memory must be between 8KiB and 256MiB");
  }
  dummy_hash_ = hash(kDummyPassword);
}

std::string PasswordHasher::hash(std::string_view plain) const {
  if (plain.size() > kMaxPasswordBytes) {
    throw std::invalid_argument("password longer than kMaxPasswordBytes");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, plain.data(), plain.size(), params_.iterations,
                            params_.memory_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("argon2id hashing failed (out of memory?)");
  }
  return std::string(out);
}

bool PasswordHasher::verify(std::string_view plain, std::string_view stored) const {
  if (plain.size() > kMaxPasswordBytes) return false;
  if (is_bcrypt(stored) && bcrypt_cost(stored) <= kMaxBcryptCost) {
    return verify_bcrypt(plain, stored);
  }
  if (is_verifiable_argon2id(stored)) return verify_argon2id(plain, stored);
  verify_dummy(plain);
  return false;
}

bool PasswordHasher::verify_argon2id(std::string_view plain, std::string_view stored) const {
  const std::string hash(stored);  // libsodium reads a NUL-terminated string
  return crypto_pwhash_str_verify(hash.c_str(), plain.data(), plain.size()) == 0;
}

bool PasswordHasher::verify_bcrypt(std::string_view plain, std::string_view stored) const {
  if (plain.size() > kMaxBcryptPasswordBytes || plain.find('\0') != std::string_view::npos) {
    verify_dummy(plain);
    return false;
  }
  const SecretCopy key(plain);
  const std::string setting(stored);
  // crypt_data is ~32 KiB: too big for a coroutine-friendly stack frame. Zeroed, as crypt_r
  // requires on first use; wiped afterwards since it held key material.
  auto data = std::make_unique<crypt_data>();
  const char* computed = crypt_r(key.c_str(), setting.c_str(), data.get());
  bool matches = computed != nullptr && std::strlen(computed) == stored.size() &&
                 sodium_memcmp(computed, stored.data(), stored.size()) == 0;
  sodium_memzero(data.get(), sizeof(crypt_data));
  return matches;
}

bool PasswordHasher::needs_rehash(std::string_view stored) const {
  if (!stored.starts_with(kArgon2idPrefix) || stored.size() > kMaxStoredHashLength) return true;
  const std::string hash(stored);
  return crypto_pwhash_str_needs_rehash(hash.c_str(), params_.iterations, params_.memory_bytes) !=
         0;
}

PasswordCheck PasswordHasher::check(std::string_view plain, std::string_view stored) const {
  PasswordCheck result;
  result.matches = verify(plain, stored);
  result.needs_rehash = result.matches && needs_rehash(stored);
  return result;
}

void PasswordHasher::verify_dummy(std::string_view plain) const {
  if (plain.size() > kMaxPasswordBytes) return;
  // The outcome is meaningless and discarded; only the time spent matters.
  [[maybe_unused]] int ignored =
      crypto_pwhash_str_verify(dummy_hash_.c_str(), plain.data(), plain.size());
}

}  // namespace basalt::auth
