// The address of a Redis or NATS server named by a `cluster-bus` URL (docs/scaling.md):
//   redis://[:PASSWORD@]HOST[:PORT][/CHANNEL]     PORT 6379, CHANNEL basalt_cluster
//   nats://[USER:PASSWORD@]HOST[:PORT][/SUBJECT]  PORT 4222, SUBJECT basalt_cluster
// The channel or subject separates deployments that share one server. The password is never
// logged: masked() replaces it.
#pragma once

#include <string>
#include <string_view>

namespace basalt::cluster {

struct BusEndpoint {
  std::string scheme;  // "redis" or "nats"
  std::string host;
  int port = 0;
  std::string user;
  std::string password;
  std::string channel;  // the Redis channel or NATS subject

  // The URL without the password, for logs.
  std::string masked() const;
};

// Throws std::invalid_argument (naming the part that is wrong, never the password) for a URL
// of another scheme, without a host, with a bad port, or with a channel of other characters
// than [A-Za-z0-9_.-] or longer than 200 bytes.
BusEndpoint parse_bus_url(std::string_view url);

}  // namespace basalt::cluster
