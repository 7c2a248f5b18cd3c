#include "basalt/api/record_handlers.hpp"

#include "basalt/api/query_params.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/api/uploads.hpp"
#include "basalt/http/form_body.hpp"
#include "basalt/records/record_response_json.hpp"

namespace basalt::api {
namespace {

records::WriteInput write_input(const Services& services, const http::Request& request,
                                const QueryParams& params) {
  http::FormBody form = request_form(request);
  records::WriteInput input;
  input.body = std::move(form.data);
  for (auto& file : form.files) {
    std::string part = file.field;
    input.uploads.push_back(to_upload(std::move(file), std::move(part), services.upload_spool_dir));
  }
  input.expand = param_or(params, "expand");
  return input;
}

void record_response(http::Response& response, const records::RecordResult& result,
                     const records::Caller& caller) {
  response.json(200, {});  // the record is written straight into the response buffer
  records::write_record(response.mutable_body(), result.record, caller.is_superuser());
}

}  // namespace

boost::asio::awaitable<void> list_records(const Services& services, const auth::AuthContext& auth,
                                          http::Request& request, http::Response& response) {
  const QueryParams params = query_params(request);
  records::ListOptions options;
  options.page = int_param(params, "page", 1);
  options.per_page = int_param(params, "perPage", records::kDefaultPerPage);
  options.filter = param_or(params, "filter");
  options.sort = param_or(params, "sort");
  options.skip_total = bool_param(params, "skipTotal");
  options.expand = param_or(params, "expand");
  const records::Caller caller = caller_of(auth, request);
  records::RecordPage page = co_await services.records.list(
      caller, request.param("collection"), std::move(options), request_info(request, params));
  response.json_list(200, {});
  records::write_page(response.mutable_body(), page, caller.is_superuser());
}

boost::asio::awaitable<void> view_record(const Services& services, const auth::AuthContext& auth,
                                         http::Request& request, http::Response& response) {
  const QueryParams params = query_params(request);
  const records::Caller caller = caller_of(auth, request);
  records::RecordResult result =
      co_await services.records.view(caller, request.param("collection"), request.param("id"),
                                     param_or(params, "expand"), request_info(request, params));
  record_response(response, result, caller);
}

boost::asio::awaitable<void> create_record(const Services& services, const auth::AuthContext& auth,
                                           http::Request& request, http::Response& response) {
  const QueryParams params = query_params(request);
  const records::Caller caller = caller_of(auth, request);
  records::WriteInput input = write_input(services, request, params);
  records::RecordResult result = co_await services.records.create(
      caller, request.param("collection"), std::move(input), request_info(request, params));
  record_response(response, result, caller);
}

boost::asio::awaitable<void> update_record(const Services& services, const auth::AuthContext& auth,
                                           http::Request& request, http::Response& response) {
  const QueryParams params = query_params(request);
  const records::Caller caller = caller_of(auth, request);
  records::WriteInput input = write_input(services, request, params);
  records::RecordResult result =
      co_await services.records.update(caller, request.param("collection"), request.param("id"),
                                       std::move(input), request_info(request, params));
  record_response(response, result, caller);
}

boost::asio::awaitable<void> delete_record(const Services& services, const auth::AuthContext& auth,
                                           http::Request& request, http::Response& response) {
  const QueryParams params = query_params(request);
  co_await services.records.remove(caller_of(auth, request), request.param("collection"),
                                   request.param("id"), request_info(request, params));
  response.content(204, {}, {});
}

boost::asio::awaitable<void> truncate_collection(const Services& services,
                                                 const auth::AuthContext& auth,
                                                 http::Request& request, http::Response& response) {
  co_await services.records.truncate(caller_of(auth, request), request.param("collection"));
  response.content(204, {}, {});
}

}  // namespace basalt::api
