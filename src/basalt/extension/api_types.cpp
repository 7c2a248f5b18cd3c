// The value types of the public API (extension/app.hpp): errors, the caller, records access,
// a route's request and response.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/api/query_params.hpp"
#include "basalt/extension/app.hpp"
#include "basalt/extension/extension_parts.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"
#include "basalt/records/record_export.hpp"

namespace basalt::extension {
namespace json = boost::json;
namespace {

// The auth record superuser calls borrow (superusers bypass every rule, so only its id is read).
const json::object& superuser_record() {
  static const json::object record{{"id", ""}};
  return record;
}

// Who a Records call acts as; holds the catalog its collection pointer comes from.
struct Acting {
  std::shared_ptr<const collections::Catalog> catalog;
  records::Caller caller;
};

Acting acting(const Backend& backend, const records::Caller& caller, bool superuser) {
  Acting out{nullptr, caller};
  if (superuser) {
    out.catalog = backend.collections.catalog();
    out.caller = records::Caller{out.catalog->find(records::kSuperusersCollection),
                                 &superuser_record(), caller.client_address};
  }
  out.caller.script = true;  // no hook runs for an extension's own calls: hooks never recurse
  return out;
}

json::object exported(const records::Caller& caller, const records::Record& record) {
  return records::export_record(*record.collection, record.values,
                                records::Visibility{caller.is_superuser(), record.email_visible});
}

bool is_token(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool is_header_value(std::string_view value) {
  return value.size() <= 8192 &&
         value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

}  // namespace

Error::Error(int status, std::string message)
    : std::runtime_error(std::move(message)), status_(status) {
  if (status < 400 || status > 599) {
    throw std::invalid_argument("extension::Error: the status must be 400 to 599");
  }
}

Error& Error::field(std::string name, std::string code, std::string message) {
  fields_.push_back({std::move(name), std::move(code), std::move(message)});
  return *this;
}

bool Caller::is_guest() const noexcept {
  return caller_->is_guest();
}
bool Caller::is_superuser() const noexcept {
  return caller_->is_superuser();
}
std::string_view Caller::id() const noexcept {
  return caller_->id();
}
std::string_view Caller::collection() const noexcept {
  return caller_->collection ? std::string_view(caller_->collection->name) : std::string_view();
}
const json::value* Caller::field(std::string_view name) const noexcept {
  if (!caller_->record || name == "password" || name == "tokenKey") return nullptr;
  return caller_->record->if_contains(name);
}

Task<json::object> Records::view(std::string collection, std::string id) const {
  const Acting as = acting(*backend_, *caller_, superuser_);
  query::RequestInfo info;
  info.method = "GET";
  const records::RecordResult found =
      co_await backend_->records.view(as.caller, collection, id, std::string(), info);
  co_return exported(as.caller, found.record);
}

Task<json::object> Records::list(std::string collection, ListQuery wanted) const {
  const Acting as = acting(*backend_, *caller_, superuser_);
  query::RequestInfo info;
  info.method = "GET";
  records::ListOptions options;
  options.page = wanted.page;
  options.per_page = wanted.per_page;
  options.filter = std::move(wanted.filter);
  options.sort = std::move(wanted.sort);
  options.skip_total = wanted.skip_total;
  const records::RecordPage page =
      co_await backend_->records.list(as.caller, collection, std::move(options), info);
  json::array items;
  for (const records::Record& record : page.items) items.push_back(exported(as.caller, record));
  co_return json::object{{"items", std::move(items)},
                         {"page", page.page},
                         {"perPage", page.per_page},
                         {"totalItems", page.total_items},
                         {"totalPages", page.total_pages}};
}

Task<json::object> Records::create(std::string collection, json::object fields) const {
  const Acting as = acting(*backend_, *caller_, superuser_);
  query::RequestInfo info;
  info.method = "POST";
  records::WriteInput input;
  input.body = std::move(fields);
  const records::RecordResult written =
      co_await backend_->records.create(as.caller, collection, std::move(input), info);
  co_return exported(as.caller, written.record);
}

Task<json::object> Records::update(std::string collection, std::string id,
                                   json::object fields) const {
  const Acting as = acting(*backend_, *caller_, superuser_);
  query::RequestInfo info;
  info.method = "PATCH";
  records::WriteInput input;
  input.body = std::move(fields);
  const records::RecordResult written =
      co_await backend_->records.update(as.caller, collection, id, std::move(input), info);
  co_return exported(as.caller, written.record);
}

Task<void> Records::remove(std::string collection, std::string id) const {
  const Acting as = acting(*backend_, *caller_, superuser_);
  query::RequestInfo info;
  info.method = "DELETE";
  co_await backend_->records.remove(as.caller, collection, id, info);
}

std::string_view RouteRequest::param(std::string_view name) const {
  return raw.param(name);
}

std::string RouteRequest::query(std::string_view name) const {
  const api::QueryParams params = api::query_params(raw);
  const auto found = params.find(name);
  return found == params.end() ? std::string() : found->second;
}

std::string_view RouteRequest::header(std::string_view name) const {
  return raw.header(name).value_or(std::string_view());
}

void RouteResponse::json(int status, const json::value& body) {
  response_->json(status, json::serialize(body));
  answered_ = true;
}

void RouteResponse::text(int status, std::string_view body, std::string_view content_type) {
  if (!is_header_value(content_type)) throw std::invalid_argument("bad content type");
  response_->content(status, content_type, body);
  answered_ = true;
}

void RouteResponse::header(std::string_view name, std::string_view value) {
  if (!is_token(name) || !is_header_value(value)) {
    throw std::invalid_argument("a response header name or value is not allowed");
  }
  response_->add_header(name, value);
}

}  // namespace basalt::extension
