// Caller: who asks the record service for something. Every transport (REST, GraphQL, realtime)
// resolves its own credentials into an auth record and hands the service this view of it.
//
// A Caller only borrows: the collection and record must outlive the service call it is passed
// to (transports keep their AuthContext alive for the whole request).
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "basalt/schema/collection.hpp"

namespace basalt::records {

inline constexpr std::string_view kSuperusersCollection = "_superusers";

struct Caller {
  const schema::Collection* collection = nullptr;  // the caller's auth collection; null: guest
  const boost::json::object* record = nullptr;     // its auth record, every field as stored
  // The client's network address as the transport sees it ("" when it has none): the unit the
  // password work of writes is bounded by (PasswordPort), whoever is signed in.
  std::string_view client_address;
  // The call comes from a server-side script (docs/hooks.md): no hook runs for it, so hooks
  // never recurse through the writes and reads they make.
  bool script = false;

  bool is_guest() const noexcept { return collection == nullptr; }
  bool is_superuser() const noexcept {
    return collection != nullptr && collection->name == kSuperusersCollection;
  }
  // The auth record's id; "" for a guest.
  std::string_view id() const noexcept;
};

}  // namespace basalt::records
