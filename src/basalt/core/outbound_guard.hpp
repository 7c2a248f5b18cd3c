// The outbound address guard (docs/events.md, "Outbound safety"): which IP addresses a
// server-side request to a user-configured URL (webhooks today, Lua's HTTP later) may
// connect to. Called on the address actually connected, after DNS resolution, so a name that
// resolves to an internal address is refused however it is spelled.
//
// Refused unless private targets are allowed: loopback (127/8, ::1), private (10/8,
// 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 with the cloud metadata address
// 169.254.169.254, fe80::/10), unspecified (0.0.0.0/8, ::), multicast (224/4, ff00::/8),
// CGNAT (100.64/10), broadcast and reserved (240/4), the IPv4-mapped (::ffff:a.b.c.d),
// IPv4-compatible, NAT64 (64:ff9b::/96) and 6to4 (2002::/16) forms of every refused IPv4
// address.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

struct sockaddr;

namespace basalt::core {

enum class AddressClass {
  kPublic,
  kLoopback,
  kPrivate,
  kLinkLocal,
  kUnspecified,
  kMulticast,
  kSharedCgnat,
  kReserved,
  kInvalid,  // not an IPv4/IPv6 address
};

std::string_view address_class_name(AddressClass kind) noexcept;

// The class of a textual IPv4 or IPv6 address ("10.0.0.1", "::ffff:127.0.0.1").
AddressClass classify_address(std::string_view text) noexcept;
// The class of a socket address (AF_INET / AF_INET6); kInvalid for other families.
AddressClass classify_address(const sockaddr* address) noexcept;

// Whether a connection to an address of this class is allowed.
inline bool outbound_allowed(AddressClass kind, bool allow_private) noexcept {
  if (kind == AddressClass::kPublic) return true;
  if (kind == AddressClass::kInvalid) return false;
  return allow_private;
}

}  // namespace basalt::core
