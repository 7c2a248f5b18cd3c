#include "basalt/brokers/host_resolver.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "basalt/core/outbound_guard.hpp"

namespace basalt::brokers {

namespace {

using Outcome = events::DeliveryResult::Outcome;
using LookupResult = std::variant<std::vector<std::string>, std::string>;

std::atomic<int> pending_lookups{0};

// What the helper thread and the waiting caller share; the last owner frees it.
struct PendingLookup {
  std::mutex mutex;
  std::condition_variable done;
  std::optional<LookupResult> result;
};

bool is_ip_literal(const std::string& host) {
  in_addr v4{};
  in6_addr v6{};
  return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

}  // namespace

LookupResult system_host_lookup(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* found = nullptr;
  const int code = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (code != 0) return std::string(::gai_strerror(code));
  std::vector<std::string> addresses;
  for (const addrinfo* at = found; at != nullptr; at = at->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = nullptr;
    if (at->ai_family == AF_INET) {
      raw = &reinterpret_cast<const sockaddr_in*>(at->ai_addr)->sin_addr;
    } else if (at->ai_family == AF_INET6) {
      raw = &reinterpret_cast<const sockaddr_in6*>(at->ai_addr)->sin6_addr;
    }
    if (raw != nullptr && ::inet_ntop(at->ai_family, raw, text, sizeof text) != nullptr) {
      addresses.emplace_back(text);
    }
  }
  ::freeaddrinfo(found);
  return addresses;
}

std::variant<std::vector<std::string>, HostRefusal> resolve_allowed_host(
    const std::string& host, std::chrono::milliseconds timeout, bool allow_private,
    const HostLookup& lookup) {
  std::vector<std::string> addresses;
  if (is_ip_literal(host)) {
    addresses.push_back(host);
  } else {
    if (pending_lookups.fetch_add(1) >= kMaxPendingLookups) {
      pending_lookups.fetch_sub(1);
      return HostRefusal{{}, fmt::format("resolve {}: too many DNS lookups still pending", host)};
    }
    auto pending = std::make_shared<PendingLookup>();
    try {
      std::thread([pending, lookup, host] {
        LookupResult result = lookup(host);
        {
          std::lock_guard lock(pending->mutex);
          pending->result = std::move(result);
        }
        pending->done.notify_all();
        pending_lookups.fetch_sub(1);
      }).detach();
    } catch (const std::system_error& error) {
      pending_lookups.fetch_sub(1);
      return HostRefusal{{}, fmt::format("resolve {}: {}", host, error.what())};
    }
    std::unique_lock lock(pending->mutex);
    if (!pending->done.wait_for(lock, timeout, [&] { return pending->result.has_value(); })) {
      return HostRefusal{{},
                         fmt::format("resolve {}: no answer within {} ms", host, timeout.count())};
    }
    if (auto* error = std::get_if<std::string>(&*pending->result)) {
      return HostRefusal{{}, fmt::format("resolve {}: {}", host, *error)};
    }
    addresses = std::get<std::vector<std::string>>(*pending->result);
    if (addresses.empty()) {
      return HostRefusal{{}, fmt::format("resolve {}: no address", host)};
    }
  }
  core::AddressClass refused = core::AddressClass::kInvalid;
  std::vector<std::string> allowed;
  for (const std::string& address : addresses) {
    const core::AddressClass kind = core::classify_address(address);
    if (!core::outbound_allowed(kind, allow_private)) {
      refused = kind;
    } else if (allowed.size() < kMaxAddresses &&
               std::find(allowed.begin(), allowed.end(), address) == allowed.end()) {
      allowed.push_back(address);
    }
  }
  if (!allowed.empty()) return allowed;
  return HostRefusal{std::string(core::address_class_name(refused)), {}};
}

std::variant<std::vector<std::string>, ConnectorFailure> resolve_broker_host(
    const std::string& host, std::chrono::milliseconds timeout, bool allow_private,
    const HostLookup& lookup) {
  auto resolved = resolve_allowed_host(host, timeout, allow_private, lookup);
  if (auto* addresses = std::get_if<std::vector<std::string>>(&resolved)) {
    return std::move(*addresses);
  }
  const HostRefusal& refusal = std::get<HostRefusal>(resolved);
  if (refusal.refused.empty()) return ConnectorFailure{Outcome::kRetry, refusal.error};
  return ConnectorFailure{
      Outcome::kReject,
      fmt::format("refused: {} resolves to a {} address (brokers-allow-private is off)", host,
                  refusal.refused)};
}

std::string url_host(const std::string& address) {
  return address.find(':') != std::string::npos ? "[" + address + "]" : address;
}

}  // namespace basalt::brokers
