// A record as clients see it (docs/records.md, "A record's JSON"), exported as a DOM:
// `collectionId`, `collectionName` and every field the caller may see, keys in byte order
// (PocketBase encodes records from a Go map), numbers and strings as Go's encoding/json writes
// them. Which fields: visibility.hpp.
//
// Its neighbours: record_response_json.hpp writes the same JSON as text straight into a
// response buffer (record and list responses, no DOM); write_operation.hpp writes records'
// rows to the database, not JSON.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "basalt/records/visibility.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::records {

boost::json::object export_record(const schema::Collection& collection,
                                  const boost::json::object& values, const Visibility& visibility);

}  // namespace basalt::records
