// finish_sign_in: the ONE place every successful sign-in ends (password, OTP, and later OAuth2
// and MFA's second step), so a gate that applies to every method (MFA) goes here once.
//
// The caller has already authenticated `record` and checked the collection's authRule; this
// issues a new auth token for it and answers PocketBase's auth response
//   200 {"record": {...}, "token": "..."}  (plus "meta" when given, as OAuth2 answers)
// with the record as its owner sees it (email shown; superusers see their hidden fields).
// `method` names how the record signed in ("password", "otp", "oauth2", ...), PocketBase's
// MFA method names.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string_view>

#include "basalt/api/services.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::api {

boost::asio::awaitable<void> finish_sign_in(const Services& services, http::Request& request,
                                            http::Response& response,
                                            const schema::Collection& collection,
                                            const boost::json::object& record,
                                            std::string_view method,
                                            const boost::json::object* meta = nullptr);

// The auth response body for `token` (no new token issued): auth-refresh answers with it too.
void write_auth_response(http::Response& response, const schema::Collection& collection,
                         const boost::json::object& record, std::string_view token,
                         const boost::json::object* meta = nullptr);

}  // namespace basalt::api
