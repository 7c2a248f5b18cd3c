#include "basalt/core/outbound_guard.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

namespace basalt::core {

namespace {

AddressClass classify_v4(std::uint32_t a) noexcept {  // host byte order
  auto in = [a](std::uint32_t net, int bits) {
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (a & mask) == (net & mask);
  };
  if (in(0x00000000, 8)) return AddressClass::kUnspecified;  // 0.0.0.0/8 ("this network")
  if (in(0x7F000000, 8)) return AddressClass::kLoopback;
  if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16)) return AddressClass::kPrivate;
  if (in(0xA9FE0000, 16)) return AddressClass::kLinkLocal;  // metadata 169.254.169.254 too
  if (in(0x64400000, 10)) return AddressClass::kSharedCgnat;
  if (in(0xE0000000, 4)) return AddressClass::kMulticast;
  if (in(0xF0000000, 4)) return AddressClass::kReserved;  // 240/4 and 255.255.255.255
  // IETF protocol assignments, TEST-NETs and benchmarking nets are never a real receiver.
  if (in(0xC0000000, 24) || in(0xC0000200, 24) || in(0xC6336400, 24) || in(0xCB007100, 24) ||
      in(0xC6120000, 15)) {
    return AddressClass::kReserved;
  }
  return AddressClass::kPublic;
}

std::uint32_t v4_at(const std::uint8_t* b) noexcept {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

AddressClass classify_v6(const std::uint8_t* b) noexcept {
  static constexpr std::array<std::uint8_t, 16> kZero{};
  bool zero_prefix_96 = true;
  for (int i = 0; i < 12; ++i) zero_prefix_96 = zero_prefix_96 && b[i] == 0;
  if (std::memcmp(b, kZero.data(), 16) == 0) return AddressClass::kUnspecified;
  if (zero_prefix_96 && b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1) {
    return AddressClass::kLoopback;
  }
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated): the IPv4 address decides.
  bool mapped = true;
  for (int i = 0; i < 10; ++i) mapped = mapped && b[i] == 0;
  mapped = mapped && b[10] == 0xFF && b[11] == 0xFF;
  if (mapped || zero_prefix_96) return classify_v4(v4_at(b + 12));
  // NAT64 64:ff9b::/96 and 6to4 2002::/16 reach the IPv4 address they embed.
  static constexpr std::array<std::uint8_t, 12> kNat64{0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kNat64.data(), 12) == 0) {
    return classify_v4(v4_at(b + 12));
  }
  if (b[0] == 0x20 && b[1] == 0x02) {
    return classify_v4(v4_at(b + 2));
  }
  if ((b[0] & 0xFE) == 0xFC) return AddressClass::kPrivate;                    // fc00::/7
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return AddressClass::kLinkLocal;  // fe80::/10
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return AddressClass::kPrivate;    // fec0::/10
  if (b[0] == 0xFF) return AddressClass::kMulticast;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return AddressClass::kReserved;
  return AddressClass::kPublic;
}

}  // namespace

std::string_view address_class_name(AddressClass kind) noexcept {
  switch (kind) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kSharedCgnat:
      return "shared (CGNAT)";
    case AddressClass::kReserved:
      return "reserved";
    case AddressClass::kInvalid:
      break;
  }
  return "invalid";
}

AddressClass classify_address(std::string_view text) noexcept {
  if (text.size() > 64) return AddressClass::kInvalid;
  std::string copy(text);
  if (copy.size() > 2 && copy.front() == '[' && copy.back() == ']') {
    copy = copy.substr(1, copy.size() - 2);
  }
  in_addr v4{};
  if (::inet_pton(AF_INET, copy.c_str(), &v4) == 1) return classify_v4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (::inet_pton(AF_INET6, copy.c_str(), &v6) == 1) return classify_v6(v6.s6_addr);
  return AddressClass::kInvalid;
}

AddressClass classify_address(const sockaddr* address) noexcept {
  if (address == nullptr) return AddressClass::kInvalid;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return classify_v4(ntohl(v4->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    return classify_v6(v6->sin6_addr.s6_addr);
  }
  return AddressClass::kInvalid;
}

}  // namespace basalt::core
