// The files of a GraphQL multipart request (docs/graphql.md, "Uploads"): the GraphQL multipart
// request convention's `operations` + `map` + file parts, decoded by the HTTP handler
// (api/graphql_upload_request.hpp), leave one marker value, {"__basalt_upload": n}, at each
// mapped place of the variables, and the n-th file here. A marker is worth something only as the
// value (or an item of the value) of a file field in a mutation's insert or `_set` input (type
// `Upload` / `[Upload!]`): there the file is taken out of the write's body and handed to the
// record service as an upload of that field, exactly as a REST multipart part named after the
// field (size, type and count limits of the field's options, storage, thumbs). Strings beside
// it keep the record's existing files, as in REST.
//
// Invariants: each file is taken at most once (one record); a request whose files are not all
// taken by the time its writes are planned fails before anything is written. A marker in a
// request without files (a JSON body) names nothing and fails the same way.
//
// Thread safety: one request, on its worker.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "basalt/records/file_store.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::graphql {

inline constexpr std::string_view kUploadMarkerKey = "__basalt_upload";

class RequestUploads {
 public:
  struct File {
    std::string map_key;  // the file's key in `map` (its multipart part name)
    records::Upload upload;
  };

  RequestUploads() = default;
  explicit RequestUploads(std::vector<File> files);

  // {"__basalt_upload": index}
  static boost::json::value marker(std::size_t index);
  // The index a marker names, or nullopt when `value` is no marker.
  static std::optional<std::size_t> marker_index(const boost::json::value& value);

  bool empty() const noexcept { return files_.empty(); }
  // The map key of the first file nobody took, or nullopt when every one was taken.
  std::optional<std::string> first_untaken() const;

  // Moves the files the file fields of `body` (a write body of `collection`) name into
  // `uploads`, as parts named after their fields, and leaves in each field only the names it
  // held as strings (the key goes when none is left). Throws FieldFailure (validation-failed)
  // for a marker that names no file of this request or one already taken.
  void take_from_body(const schema::Collection& collection, boost::json::object& body,
                      std::vector<records::Upload>& uploads);

 private:
  records::Upload take(std::size_t index, const std::string& field);

  std::vector<File> files_;
  std::vector<bool> taken_;
};

}  // namespace basalt::graphql
