// The client's JSON of records (docs/records.md, "A record's JSON"), written straight into a
// response buffer: no intermediate DOM, keys in byte order (PocketBase encodes records from a Go
// map), values in Go's encoding/json form (schema/go_json.hpp). Which fields: visibility.hpp, with
// Visibility{superuser, Record::email_visible}.
//
// Its neighbours: record_export.hpp builds the same JSON as a DOM, for responses that embed a
// record inside a larger object (auth responses); write_operation.hpp writes records' rows to
// the database, not JSON.
#pragma once

#include <string>

#include "basalt/records/record.hpp"

namespace basalt::records {

// Appends `record` (with its expansions, recursively) to `out`.
void write_record(std::string& out, const Record& record, bool superuser);

// Appends the list envelope {"items":[...],"page":..,"perPage":..,"totalItems":..,
// "totalPages":..} in PocketBase's struct order.
void write_page(std::string& out, const RecordPage& page, bool superuser);

}  // namespace basalt::records
