// A record as clients see it (spec §2.1, §2.2): `collectionId`, `collectionName` and every field
// the caller may see, keys in byte order (PocketBase encodes records from a Go map), numbers
// and strings as Go's encoding/json writes them.
//
// Visibility:
//  - `password` and `tokenKey` of auth collections are never exported, not even to superusers;
//  - other hidden fields only to superusers;
//  - `email` of an auth record only when `emailVisibility` is true or the caller may see it
//    anyway (the record itself, a superuser, a manager).
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "basalt/schema/collection.hpp"

namespace basalt::records {

struct Visibility {
  bool superuser = false;      // sees hidden fields
  bool email_visible = false;  // owner, superuser or manager: sees the email whatever its flag
};

boost::json::object export_record(const schema::Collection& collection,
                                  const boost::json::object& values, const Visibility& visibility);

// export_record as JSON text in Go's byte form.
std::string serialize_record(const schema::Collection& collection,
                             const boost::json::object& values, const Visibility& visibility);

}  // namespace basalt::records
