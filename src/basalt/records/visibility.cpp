#include "basalt/records/visibility.hpp"

namespace basalt::records {

VisibleFields::VisibleFields(const schema::Collection& collection,
                             const boost::json::object& values, Visibility visibility) noexcept
    : auth_(collection.is_auth()), superuser_(visibility.superuser) {
  if (auth_ && !visibility.email_visible) {
    const boost::json::value* flag = values.if_contains(schema::kFieldEmailVisibility);
    email_hidden_ = !(flag && flag->is_bool() && flag->as_bool());
  }
}

bool VisibleFields::shows(const schema::Field& field) const noexcept {
  if (auth_ && (field.name == schema::kFieldPassword || field.name == schema::kFieldTokenKey)) {
    return false;
  }
  if (field.hidden && !superuser_) return false;
  return !(email_hidden_ && field.name == schema::kFieldEmail);
}

}  // namespace basalt::records
