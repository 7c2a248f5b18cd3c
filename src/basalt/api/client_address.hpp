// Which address a request comes from, as rate limits, throttles, the realtime client check and
// settings.superuserIPs count it (docs/settings.md, "trustedProxy and superuserIPs").
//
// Without settings.trustedProxy.headers it is the TCP peer's address. With them, the first
// listed header that is present and holds a parsable IP names the client: of that header's last
// line (the one the proxy itself appended), the rightmost valid address, or the leftmost with
// useLeftmostIP. Only a deployment whose clients can reach Basalt solely through that proxy
// should name headers: anyone else can write them.
#pragma once

#include <string>
#include <string_view>

#include "basalt/http/request.hpp"
#include "basalt/settings/app_settings.hpp"

namespace basalt::api {

// The peer address without its port (a view into `request`).
std::string_view peer_ip(const http::Request& request);

// The client address under `proxy` (see above); IPv6 addresses from headers are written in
// their full expanded form, as PocketBase does.
std::string resolve_client_ip(const settings::TrustedProxySettings& proxy,
                              const http::Request& request);

// The address the route wrapper resolved for this request (http::Request::client_ip), or the
// peer address for a request that did not pass through it. A view into `request`.
std::string_view client_ip(const http::Request& request);

}  // namespace basalt::api
