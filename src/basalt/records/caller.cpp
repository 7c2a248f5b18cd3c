#include "basalt/records/caller.hpp"

namespace basalt::records {

std::string_view Caller::id() const noexcept {
  if (!record) return {};
  const boost::json::value* id = record->if_contains(schema::kFieldId);
  return id && id->is_string() ? std::string_view(id->get_string()) : std::string_view();
}

}  // namespace basalt::records
