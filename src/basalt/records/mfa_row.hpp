// MfaRow: one row of the `_mfas` system collection - a sign-in that passed its first method
// and waits for a second one (docs/auth-flows.md, "MFA").
#pragma once

#include <string>

namespace basalt::records {

struct MfaRow {
  std::string id;
  std::string collection_ref;  // the auth collection's id
  std::string record_ref;      // the auth record's id
  std::string method;          // the first method: "password", "otp", "oauth2", "totp"
  std::string created;         // PocketBase datetime text, UTC
};

}  // namespace basalt::records
