#include "basalt/graphql/request_uploads.hpp"

#include <boost/json.hpp>
#include <limits>

#include "basalt/graphql/field_failure.hpp"

namespace basalt::graphql {

namespace json = boost::json;

RequestUploads::RequestUploads(std::vector<File> files)
    : files_(std::move(files)), taken_(files_.size(), false) {}

json::value RequestUploads::marker(std::size_t index) {
  return json::object{{kUploadMarkerKey, static_cast<std::uint64_t>(index)}};
}

std::optional<std::size_t> RequestUploads::marker_index(const json::value& value) {
  if (!value.is_object()) return std::nullopt;
  const json::object& object = value.get_object();
  if (object.size() != 1) return std::nullopt;
  const json::value* index = object.if_contains(kUploadMarkerKey);
  if (index == nullptr) return std::nullopt;
  if (index->is_uint64()) return static_cast<std::size_t>(index->get_uint64());
  if (index->is_int64() && index->get_int64() >= 0) {
    return static_cast<std::size_t>(index->get_int64());
  }
  return std::numeric_limits<std::size_t>::max();  // a marker naming nothing
}

std::optional<std::string> RequestUploads::first_untaken() const {
  for (std::size_t i = 0; i < files_.size(); ++i) {
    if (!taken_[i]) return files_[i].map_key;
  }
  return std::nullopt;
}

records::Upload RequestUploads::take(std::size_t index, const std::string& field) {
  if (index >= files_.size()) {
    throw FieldFailure(ErrorCode::kValidationFailed,
                       "The value of \"" + field +
                           "\" names no file of this request (send files as a multipart "
                           "request: operations, map, then the files).");
  }
  if (taken_[index]) {
    throw FieldFailure(ErrorCode::kValidationFailed,
                       "The file \"" + files_[index].map_key +
                           "\" is written to more than one record; send it once per record.");
  }
  taken_[index] = true;
  records::Upload upload = std::move(files_[index].upload);
  upload.part = field;
  return upload;
}

void RequestUploads::take_from_body(const schema::Collection& collection, json::object& body,
                                    std::vector<records::Upload>& uploads) {
  for (const schema::Field& field : collection.fields) {
    if (field.type() != schema::FieldType::kFile) continue;
    json::value* value = body.if_contains(field.name);
    if (value == nullptr) continue;
    if (const auto index = marker_index(*value)) {
      uploads.push_back(take(*index, field.name));
      body.erase(field.name);
      continue;
    }
    if (!value->is_array()) continue;
    json::array names;
    bool had_upload = false;
    for (const json::value& item : value->get_array()) {
      if (const auto index = marker_index(item)) {
        uploads.push_back(take(*index, field.name));
        had_upload = true;
      } else {
        names.push_back(item);
      }
    }
    if (!had_upload) continue;
    if (names.empty()) {
      body.erase(field.name);
    } else {
      *value = std::move(names);
    }
  }
}

}  // namespace basalt::graphql
