// What of a record a caller sees (docs/records.md, "A record's JSON"). The one rule every writer of
// a record's client JSON applies (record_response_json.hpp for responses, record_export.hpp for the
// auth responses), so the two cannot drift apart:
//  - `password` and `tokenKey` of auth collections: never, not even to superusers;
//  - other hidden fields: superusers only;
//  - `email` of an auth record: when its `emailVisibility` is true, or when the caller may see
//    it anyway (the record itself, a superuser, a manager: Visibility::email_visible).
// Everything else is visible.
#pragma once

#include <boost/json/object.hpp>

#include "basalt/schema/collection.hpp"

namespace basalt::records {

struct Visibility {
  bool superuser = false;      // sees hidden fields
  bool email_visible = false;  // sees the email whatever emailVisibility says
};

// The rule for one record: construct once per record, then ask for each field.
// Borrows nothing; cheap to copy.
class VisibleFields {
 public:
  VisibleFields(const schema::Collection& collection, const boost::json::object& values,
                Visibility visibility) noexcept;

  // Whether the caller sees `field` (a field of the collection given to the constructor).
  bool shows(const schema::Field& field) const noexcept;

 private:
  bool auth_ = false;
  bool superuser_ = false;
  bool email_hidden_ = false;
};

}  // namespace basalt::records
