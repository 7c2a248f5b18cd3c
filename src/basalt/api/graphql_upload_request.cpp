#include "basalt/api/graphql_upload_request.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <vector>

#include "basalt/api/request_body.hpp"
#include "basalt/api/uploads.hpp"
#include "basalt/core/api_error.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;

// "variables.input.files.0" as its segments; empty when it is not a path into the variables.
std::vector<std::string> path_segments(std::string_view path) {
  std::vector<std::string> out;
  while (true) {
    const std::size_t dot = path.find('.');
    out.emplace_back(path.substr(0, dot));
    if (out.back().empty()) return {};
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  return out;
}

// The place `segments` name in `operation`, which must hold null; nullptr when there is none.
json::value* place_of(json::object& operation, const std::vector<std::string>& segments) {
  json::value* at = operation.if_contains(segments.front());
  for (std::size_t i = 1; at != nullptr && i < segments.size(); ++i) {
    const std::string& key = segments[i];
    if (at->is_object()) {
      at = at->get_object().if_contains(key);
    } else if (at->is_array()) {
      if (key.empty() || key.size() > 9 ||
          key.find_first_not_of("0123456789") != std::string::npos) {
        return nullptr;
      }
      const std::size_t index = std::stoul(key);
      json::array& array = at->get_array();
      at = index < array.size() ? &array[index] : nullptr;
    } else {
      return nullptr;
    }
  }
  return at;
}

std::optional<json::value> parse_value(const json::object& form, std::string_view name) {
  const json::value* given = form.if_contains(name);
  if (given == nullptr || !given->is_string()) return std::nullopt;
  boost::system::error_code ec;
  json::value parsed = json::parse(given->get_string(), ec);
  if (ec) return std::nullopt;
  return parsed;
}

}  // namespace

http::UploadPlan graphql_upload_plan(const Services& services) {
  const auto settings = services.settings.current();
  http::UploadPlan plan;
  plan.max_body_bytes = static_cast<std::uint64_t>(settings->batch.effective_max_body_size());
  plan.spool_dir = services.upload_spool_dir;
  return plan;
}

std::optional<std::string> read_graphql_multipart(const Services& services,
                                                  const http::Request& request,
                                                  json::object& operation,
                                                  graphql::RequestUploads& uploads) {
  http::FormBody form;
  try {
    form = request_form(request);
  } catch (const core::ApiError& e) {
    return std::string(e.message());
  }
  for (const auto& [name, value] : form.data) {
    if (name != "operations" && name != "map") {
      return "Unexpected part \"" + std::string(name) +
             "\": a GraphQL multipart request has \"operations\", \"map\" and the files.";
    }
  }
  std::optional<json::value> operations = parse_value(form.data, "operations");
  if (!operations) return std::string("The \"operations\" part must be a JSON object.");
  if (operations->is_array()) return std::string("Batched operations are not supported.");
  if (!operations->is_object())
    return std::string("The \"operations\" part must be a JSON object.");
  std::optional<json::value> map = parse_value(form.data, "map");
  if (!map || !map->is_object()) return std::string("The \"map\" part must be a JSON object.");
  if (map->get_object().size() > kMaxGraphqlFiles || form.files.size() > kMaxGraphqlFiles) {
    return "At most " + std::to_string(kMaxGraphqlFiles) + " files per request.";
  }
  operation = std::move(operations->get_object());
  // Every file part is a key of the map, once (checked before any file moves).
  std::set<std::string> sent;
  for (const http::UploadedFile& file : form.files) {
    if (!map->get_object().contains(file.field)) {
      return "The file part \"" + file.field + "\" is not in the map.";
    }
    if (!sent.insert(file.field).second)
      return "The file part \"" + file.field + "\" was sent twice.";
  }

  std::vector<graphql::RequestUploads::File> files;
  for (const auto& [key, paths] : map->get_object()) {
    const std::string name(key);
    if (!paths.is_array() || paths.get_array().size() != 1 || !paths.get_array()[0].is_string()) {
      return "The map entry \"" + name +
             "\" must be an array of one path (a file goes to one place).";
    }
    const std::vector<std::string> segments = path_segments(paths.get_array()[0].get_string());
    if (segments.size() < 2 || segments.front() != "variables" ||
        segments.size() > kMaxUploadPathSegments) {
      return "The map entry \"" + name +
             "\" must be a path into the variables, such as "
             "\"variables.file\" (at most " +
             std::to_string(kMaxUploadPathSegments) + " segments).";
    }
    json::value* place = place_of(operation, segments);
    if (place == nullptr || !place->is_null()) {
      return "The map entry \"" + name + "\" names no null value of the operations' variables.";
    }
    auto file = std::find_if(form.files.begin(), form.files.end(),
                             [&](const http::UploadedFile& f) { return f.field == name; });
    if (file == form.files.end()) return "The file \"" + name + "\" of the map was not sent.";
    *place = graphql::RequestUploads::marker(files.size());
    files.push_back({name, to_upload(std::move(*file), name, services.upload_spool_dir)});
    file->field.clear();  // moved: never found again
  }
  uploads = graphql::RequestUploads(std::move(files));
  return std::nullopt;
}

}  // namespace basalt::api
