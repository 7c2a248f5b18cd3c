// CurlGuard: the outbound guard (outbound_guard.hpp) on a libcurl transfer. libcurl asks its
// open-socket callback for every connection it makes, with the address it is about to connect
// to - after DNS, and for each address it tries - so the check is on the address actually
// used, never on a name that could resolve elsewhere a moment later.
// Header-only: it needs libcurl, which core does not link; its users (webhooks, the scripts'
// HTTP) do.
// Thread ownership: one transfer's; the object must outlive the transfer it is installed on.
#pragma once

#include <curl/curl.h>
#include <sys/socket.h>

#include <string>

#include "basalt/core/outbound_guard.hpp"

namespace basalt::core {

struct CurlGuard {
  bool allow_private = false;
  std::string refused;  // the class of the address refused (address_class_name); empty: none

  void install(CURL* curl) {
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, &CurlGuard::open_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, this);
  }

 private:
  static curl_socket_t open_socket(void* data, curlsocktype purpose, curl_sockaddr* address) {
    auto* guard = static_cast<CurlGuard*>(data);
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    const AddressClass kind = classify_address(reinterpret_cast<const sockaddr*>(&address->addr));
    if (!outbound_allowed(kind, guard->allow_private)) {
      guard->refused = std::string(address_class_name(kind));
      return CURL_SOCKET_BAD;
    }
    return ::socket(address->family, address->socktype, address->protocol);
  }
};

}  // namespace basalt::core
