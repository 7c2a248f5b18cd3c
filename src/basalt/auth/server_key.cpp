#include "basalt/auth/server_key.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "basalt/auth/sodium.hpp"

namespace basalt::auth {
namespace {

constexpr std::size_t kHexLength = ServerKey::kBytes * 2;
constexpr auto kBase64Variant = sodium_base64_VARIANT_ORIGINAL;

std::array<unsigned char, ServerKey::kBytes> parse_key(std::string text,
                                                       const std::filesystem::path& path) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  std::array<unsigned char, ServerKey::kBytes> key{};
  std::size_t written = 0;
  if (text.size() != kHexLength ||
      sodium_hex2bin(key.data(), key.size(), text.data(), text.size(), nullptr, &written,
                     nullptr) != 0 ||
      written != key.size()) {
    throw std::runtime_error("the server key file " + path.string() +
                             " must hold exactly 64 hex characters");
  }
  return key;
}

// Creates `path` with a new key; false when another process created it first.
bool create_key_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    throw std::runtime_error("cannot create the server key file " + path.string() + ": " +
                             std::strerror(errno));
  }
  std::array<unsigned char, ServerKey::kBytes> key{};
  randombytes_buf(key.data(), key.size());
  std::array<char, kHexLength + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), key.data(), key.size());
  sodium_memzero(key.data(), key.size());
  std::string text(hex.data(), kHexLength);
  text += '\n';
  sodium_memzero(hex.data(), hex.size());
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  sodium_memzero(text.data(), text.size());
  if (!ok) {
    std::filesystem::remove(path);
    throw std::runtime_error("cannot write the server key file " + path.string());
  }
  return true;
}

}  // namespace

ServerKey ServerKey::load_or_create(const std::filesystem::path& path) {
  init_sodium();
  if (!std::filesystem::exists(path)) create_key_file(path);
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the server key file " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return ServerKey(parse_key(text.str(), path));
}

std::string ServerKey::seal(std::string_view plaintext, std::string_view context) const {
  init_sodium();
  std::vector<unsigned char> out(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plaintext.size() +
                                 crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned char* nonce = out.data();
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long sealed_length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &sealed_length,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(context.data()), context.size(), nullptr, nonce,
      key_.data());
  out.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + sealed_length);
  std::string encoded(sodium_base64_ENCODED_LEN(out.size(), kBase64Variant), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), out.data(), out.size(), kBase64Variant);
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

std::optional<std::string> ServerKey::open(std::string_view sealed,
                                           std::string_view context) const {
  init_sodium();
  // Nothing sealed is empty (and libsodium's decoder takes no null buffer).
  if (sealed.empty()) return std::nullopt;
  std::vector<unsigned char> raw(sealed.size());
  std::size_t raw_length = 0;
  if (sodium_base642bin(raw.data(), raw.size(), sealed.data(), sealed.size(), nullptr, &raw_length,
                        nullptr, kBase64Variant) != 0 ||
      raw_length < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                       crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return std::nullopt;
  }
  const unsigned char* nonce = raw.data();
  const unsigned char* cipher = raw.data() + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  const std::size_t cipher_length = raw_length - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string plain(cipher_length - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long plain_length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &plain_length, nullptr, cipher,
          cipher_length, reinterpret_cast<const unsigned char*>(context.data()), context.size(),
          nonce, key_.data()) != 0) {
    return std::nullopt;
  }
  plain.resize(plain_length);
  return plain;
}

}  // namespace basalt::auth
