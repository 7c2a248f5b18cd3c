// How uploads enter a write's body and leave its values (docs/files.md, "Life of a file").
// Internal to the records module; pure functions over the body, the values and the schema.
//
// In the body an upload is an object (schema/file_limits.hpp) under the part's key, merged as
// PocketBase merges them (apis/record_crud.go): under a plain field name the names already
// sent as strings under that key come first (so a client keeps them), then the uploads in
// body order; under `field+` / `+field` the uploads alone (the modifier then appends or
// prepends). The schema's file type then validates them (size, MIME type, count, name) like
// any other value, and the record service swaps each for its stored name before the row is
// written.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/collections/catalog.hpp"
#include "basalt/records/body_keys.hpp"
#include "basalt/records/event_bus.hpp"
#include "basalt/records/file_store.hpp"
#include "basalt/schema/collection.hpp"
#include "basalt/schema/validation_errors.hpp"

namespace basalt::records {

// Drops every object a client sent in a file field's key (only the service makes uploads).
void strip_client_uploads(const schema::Collection& collection, boost::json::object& body);

// A field error under the part's name for every upload that does not name a file field as
// `field`, `field+` or `+field`.
void check_upload_parts(const schema::Collection& collection, const std::vector<Upload>& uploads,
                        schema::ValidationErrors& errors);

// Merges the uploads into `body` (see above).
void attach_uploads(boost::json::object& body, const std::vector<Upload>& uploads,
                    const std::vector<InspectedUpload>& inspected);

// Replaces every upload object in the file fields of `values` with its stored name.
void replace_uploads_with_names(const schema::Collection& collection, boost::json::object& values);

// The stored names of every file field of `values`, in field order.
std::vector<std::string> stored_file_names(const schema::Collection& collection,
                                           const boost::json::object& values);

// Whether `collection` has a file field.
bool has_file_fields(const schema::Collection& collection);

// The storage prefixes (`<collectionId>/<recordId>`) of the records `events` deleted whose
// collections have file fields: what a delete, its cascades or a truncate drop after commit.
std::vector<std::string> deleted_record_dirs(const collections::Catalog& catalog,
                                             const std::vector<RecordEvent>& events);

}  // namespace basalt::records
