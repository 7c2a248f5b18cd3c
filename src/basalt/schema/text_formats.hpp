// Format checks for email addresses, URLs and domain names, matching what PocketBase accepts
// (it uses govalidator's IsEmail/IsURL and ozzo's is.Domain). The regular expressions are
// compiled once, on first use, with RE2; every function is thread-safe.
#pragma once

#include <string_view>

namespace basalt::schema {

// local@domain with a dot-atom or quoted local part and a dotted domain whose last label starts
// and ends with a letter; non-ASCII letters allowed. Rejects RFC 2047 encoded words ("=?...?=").
bool is_email(std::string_view text);

// An http(s)/ws(s)/ftp/tcp/udp URL, the scheme being optional ("example.com/x" passes, as in
// PocketBase); host name, IPv4 or [IPv6], optional port, path, query and fragment.
bool is_url(std::string_view text);

// The host of a URL as Go's url.Parse reports it: the authority after "scheme://" without the
// user info, port included ("example.com:8080"); "" when the text has no "//" authority.
std::string_view url_host(std::string_view url);

// A domain name: at least two dot-separated labels of letters, digits and inner hyphens (each
// 1-63 characters), the last one letters only; 255 characters at most.
bool is_domain(std::string_view text);

}  // namespace basalt::schema
