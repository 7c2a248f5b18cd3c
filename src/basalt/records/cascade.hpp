// delete_with_cascades: removes one record inside a write job with PocketBase's relation
// semantics (docs/records.md, "Delete and cascades"), for the record service's delete, truncate and
// batch. Internal to the records module.
//
// For every relation field anywhere that points at the record's collection, each record that
// references it is deleted too (recursively) when the field has cascadeDelete, else stripped of
// the reference (single: "", multiple: the id removed, `updated`-style autodates refreshed);
// a required field that would be left empty refuses the whole delete with the contract's 400.
// Auth records also lose their rows in _externalAuths, _mfas, _otps and _authOrigins.
// `events` receives one entry per changed record, in the order the changes were made; the
// caller publishes them after the commit.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "basalt/collections/catalog.hpp"
#include "basalt/db/transaction.hpp"
#include "basalt/records/event_bus.hpp"

namespace basalt::db {
class Dialect;
}

namespace basalt::records {

// The 400 of a delete refused by a required relation reference (docs/records.md, "Delete and
// cascades").
inline constexpr std::string_view kRequiredReferenceMessage =
    "Failed to delete record. Make sure that the record is not part of a required relation "
    "reference.";

boost::asio::awaitable<void> delete_with_cascades(db::Transaction& tx,
                                                  const collections::Catalog& catalog,
                                                  const db::Dialect& dialect, std::string now,
                                                  const schema::Collection& collection,
                                                  boost::json::object values,
                                                  std::vector<RecordEvent>& events);

}  // namespace basalt::records
