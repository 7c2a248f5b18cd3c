// The keys of a write's body as the record service reads them: a key names a field, possibly
// with a modifier ("+tags", "tags+", "tags-", "slug:autogenerate"), and rules see the body as
// `@request.body` with those modifiers resolved. Shared by WriteOperation and the batch's bulk
// creates (bulk_creates.hpp). Internal to the records module.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "basalt/schema/collection.hpp"

namespace basalt::records {

// A body key without its modifier: "+tags" / "tags+" / "tags-" / "slug:autogenerate" -> name.
std::string_view body_field_name(std::string_view key);

// `@request.body` as rules see it: the submitted keys of `body`, with modifier keys replaced by
// the field's resulting value in `values` (the record as validation made it) under the plain
// field name; so are file fields, whose body value holds upload objects. Passwords keep their
// submitted key.
boost::json::object rule_body(const schema::Collection& collection, const boost::json::object& body,
                              const boost::json::object& values);

}  // namespace basalt::records
