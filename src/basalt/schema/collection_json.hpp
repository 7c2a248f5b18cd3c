// Collections to and from JSON (docs/storage.md, "Defining collections").
//
// Output follows PocketBase byte for byte in key order: the collection's keys in struct order
// (id, listRule, viewRule, createRule, updateRule, deleteRule, name, type, fields, indexes,
// created, updated, system, then viewQuery or the auth options), each field's keys sorted
// alphabetically (PocketBase serialises fields through a map).
//
// Two forms:
//   kPublic  - what the API returns: token secrets and OAuth2 client secrets omitted,
//              oauth2.providers always an array;
//   kStorage - what is kept in `_collections`: everything, secrets included.
//
// Input, per ParseMode:
//   kCreate  - POST /api/collections and new collections of an import: start from
//              new_collection(type, name, id) of the body (default fields, options, fresh
//              secrets), then read the body over it;
//   kUpdate  - PATCH and existing collections of an import: start from the stored collection
//              and read the body over it; a key the body omits keeps its stored value (so
//              omitted secrets survive), "fields" when present replaces the whole list;
//   kStorage - a document written by to_json(kStorage): read as is, no defaults.
// created/updated are read only in kStorage; the server owns them.
//
// A body key of the wrong JSON type, an unknown field type or an unknown collection type
// becomes a validation error at its path ("fields"/"2"/"type"); parsing goes on so that every
// such problem is reported at once. Apply defaults and validate only when there are none.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "basalt/schema/collection.hpp"
#include "basalt/schema/field_registry.hpp"
#include "basalt/schema/validation_errors.hpp"

namespace basalt::schema {

enum class JsonForm { kPublic, kStorage };
enum class ParseMode { kCreate, kUpdate, kStorage };

struct ParsedCollection {
  Collection collection;
  ValidationErrors errors;    // problems of the document itself (see above)
  bool id_generated = false;  // kCreate: no id in the body, the default checksum was used
};

// Reads `json`, which must be an object (anything else yields a validation_invalid_value error
// under the key "collection"). `base` is required for kUpdate and ignored otherwise.
ParsedCollection parse_collection(const boost::json::value& json, ParseMode mode,
                                  const Collection* base = nullptr,
                                  const FieldTypeRegistry& registry = builtin_field_types());

boost::json::object collection_to_json(const Collection& collection,
                                       JsonForm form = JsonForm::kPublic,
                                       const FieldTypeRegistry& registry = builtin_field_types());

// One field object with its keys sorted.
boost::json::object field_to_json(const Field& field,
                                  const FieldTypeRegistry& registry = builtin_field_types());

// collection_to_json, serialised byte-for-byte as PocketBase does (go_json.hpp).
std::string serialize_collection(const Collection& collection, JsonForm form = JsonForm::kPublic,
                                 const FieldTypeRegistry& registry = builtin_field_types());

}  // namespace basalt::schema
