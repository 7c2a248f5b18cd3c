#include "basalt/query/request_info.hpp"

#include <charconv>

#include "basalt/query/text_scan.hpp"

namespace basalt::query {
namespace {

namespace json = boost::json;

// strconv.Atoi on a path segment (segments hold only [A-Za-z0-9_]).
std::optional<std::size_t> array_index(std::string_view segment) {
  std::size_t index = 0;
  auto [end, error] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
  if (error != std::errc() || end != segment.data() + segment.size()) return std::nullopt;
  return index;
}

// Walks `path` from `value` (mapVal / arrVal of extractNestedVal).
RequestValue walk(const json::value* value, std::span<const std::string_view> path) {
  for (std::string_view key : path) {
    if (const auto* object = value->if_object()) {
      value = object->if_contains(key);
    } else if (const auto* array = value->if_array()) {
      auto index = array_index(key);
      value = index && *index < array->size() ? &(*array)[*index] : nullptr;
    } else {
      value = nullptr;
    }
    if (value == nullptr) return {};
  }
  return {true, value, {}};
}

RequestValue find_in_object(const json::object& object, std::span<const std::string_view> path) {
  if (path.empty()) return {};
  const json::value* first = object.if_contains(path.front());
  if (first == nullptr) return {};
  return walk(first, path.subspan(1));
}

}  // namespace

std::string_view RequestInfo::auth_id() const noexcept {
  if (!auth) return {};
  const json::value* id = auth->fields().if_contains("id");
  if (id == nullptr || !id->is_string()) return {};
  return id->get_string();
}

std::string normalize_header_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool pending_separator = false;
  for (char c : name) {
    if (!is_alnum(c)) {
      pending_separator = !out.empty();
      continue;
    }
    if (pending_separator) out += '_';
    pending_separator = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

RequestValue find_request_value(const RequestInfo& request, IdentifierRoot root,
                                std::span<const std::string_view> path) {
  switch (root) {
    case IdentifierRoot::kRequestContext:
      return {true, nullptr, request.context};
    case IdentifierRoot::kRequestMethod:
      return {true, nullptr, request.method};
    case IdentifierRoot::kRequestHeaders:
      return find_in_object(request.headers, path);
    case IdentifierRoot::kRequestQuery:
      return find_in_object(request.query, path);
    case IdentifierRoot::kRequestBody:
      return find_in_object(request.body, path);
    case IdentifierRoot::kRequestAuth: {
      if (!request.auth || path.empty()) return {};
      RequestValue value = find_in_object(request.auth->fields(), path);
      if (value.found || path.size() != 1) return value;
      // PublicExport adds these two to every record.
      if (path.front() == "collectionId") return {true, nullptr, request.auth->collection_id};
      if (path.front() == "collectionName") return {true, nullptr, request.auth->collection_name};
      return value;
    }
    default:
      return {};
  }
}

}  // namespace basalt::query
