// Header checks Beast's parser leaves to us, run once a request's header is parsed and before
// its body is read. Each one closes a request-smuggling or routing ambiguity that RFC 9112
// lets a server refuse: a refused request is answered 400 and the connection closes, so no
// byte after the header is ever parsed as a request.
//
//  - Transfer-Encoding (RFC 9112 §6.1, §6.3): the only coding Basalt decodes is `chunked`, so
//    the field must be exactly one `chunked` coding, in one field line, in an HTTP/1.1 request,
//    without Content-Length. Beast would otherwise frame `gzip`, `chunked, gzip` or `identity`
//    as a bodiless request and parse the body as the next one.
//  - Host (RFC 9112 §3.2): an HTTP/1.1 request carries exactly one; HTTP/1.0 may omit it. The
//    value follows RFC 3986's host syntax (reg-name, IPv4 or bracketed IPv6, optional :port).
//  - obs-fold (RFC 9112 §5.2): a field line continued on the next line (CRLF then SP/HTAB) is
//    refused rather than unfolded, so every hop sees the same fields.
#pragma once

#include <boost/beast/http/message.hpp>
#include <optional>
#include <string_view>

namespace basalt::http {

// RFC 3986 `host [ ":" port ]`, as the Host field carries it; an empty value is allowed
// (RFC 9112 §3.2: a target without an authority sends an empty Host). IPv6 zone ids and
// IPvFuture literals are refused.
bool is_valid_host(std::string_view value);

// True when the header block (request line through the blank line) folds a field line.
bool has_obs_fold(std::string_view header_block);

// The 400 message for a request whose framing or Host is refused, or nullopt when it is fine.
// `header_block` is the raw header (request line through the blank line) `header` was parsed
// from.
std::optional<std::string_view> framing_problem(std::string_view header_block,
                                                const boost::beast::http::request_header<>& header);

}  // namespace basalt::http
