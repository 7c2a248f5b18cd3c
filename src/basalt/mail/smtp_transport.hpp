// SmtpTransport: hands one MIME message to an SMTP server with libcurl (blocking; called from
// the outbox thread only).
//
//   tls = true   smtps://host:port, TLS from the first byte (implicit TLS, usually port 465);
//   tls = false  smtp://host:port, upgraded with STARTTLS when the server offers it.
// Certificates are always verified. AUTH is used only when a username is set, with the
// mechanism authMethod names (PLAIN by default, or LOGIN). localName is the EHLO name.
// Connect and whole-transfer timeouts bound every call.
//
// Failures say whether trying again later may help (connection refused or reset, timeouts,
// SMTP 4xx) or not (5xx, bad address, TLS verification): the outbox retries only the former.
// Error texts name the stage and curl's or the server's reason, never the credentials.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace basalt::mail {

struct SmtpConfig {
  std::string host;
  std::int64_t port = 587;
  std::string username;
  std::string password;     // secret: never logged
  std::string auth_method;  // "PLAIN" (when empty) or "LOGIN"
  bool tls = false;         // implicit TLS; false = STARTTLS when offered
  std::string local_name;   // EHLO name; "localhost" when empty
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{30};  // the whole session
  // When set and it turns true, a session in progress is abandoned within about a second
  // (the outbox's stop: a shutdown does not wait for a slow server's timeout).
  const std::atomic<bool>* cancel = nullptr;
};

struct SendOutcome {
  bool sent = false;
  bool transient = false;  // a later attempt may succeed
  std::string error;       // why not (for the log)
};

// Sends `mime` from `from` to every address of `to` (envelope addresses, already checked).
SendOutcome smtp_send(const SmtpConfig& config, const std::string& from,
                      const std::vector<std::string>& to, const std::string& mime);

}  // namespace basalt::mail
