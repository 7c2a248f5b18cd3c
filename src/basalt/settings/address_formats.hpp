// The format checks the settings need beyond schema/text_formats.hpp (emails and URLs), each
// matching the Go function PocketBase validates with. Pure; thread-safe.
#pragma once

#include <string_view>

namespace basalt::settings {

// An IPv4 or IPv6 address as Go's net.ParseIP reads it (no zone, no leading zeros in IPv4).
bool is_ip(std::string_view text);

// govalidator.IsHost (ozzo is.Host): an IP address or a DNS name — dot-separated labels of
// letters, digits, '_' and inner '-', each at most 63 characters, an optional final '.' —
// with at most 255 characters besides the dots. "localhost" passes.
bool is_host(std::string_view text);

// PocketBase's validators.IPOrSubnet: an address as netip.ParseAddr reads it (IPv6 may carry
// a %zone) or a CIDR prefix as netip.ParsePrefix reads it ("10.0.0.0/8", "::1/128").
bool is_ip_or_subnet(std::string_view text);

// ozzo is.HexColor: "#" optional, then 3 or 6 hex digits.
bool is_hex_color(std::string_view text);

}  // namespace basalt::settings
