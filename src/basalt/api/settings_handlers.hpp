// REST handlers of the application settings (docs/settings.md), superusers only (401 without a
// token, 403 for any other auth record). Thin doors onto settings::SettingsService:
//   GET   /api/settings   the current settings -> 200
//   PATCH /api/settings   JSON body merged onto the stored settings -> 200 + the new settings;
//                         400 with per-key errors for wrong types or failed rules
//   POST  /api/settings/test/s3   {"filesystem":"storage"|"backups"}: PocketBase's connection
//                         check of `s3` or `backups.s3` as stored (a test object written under a
//                         fresh prefix, then the prefix listed and deleted) -> 204; 400 with
//                         PocketBase's messages: "Failed to test the S3 filesystem." + a
//                         `filesystem` field error, or "Failed to test the S3 filesystem. Raw
//                         error: \n" + what failed (not enabled, refused, unreachable)
// GET and PATCH answer the public form (settings_json.hpp): secrets such as smtp.password are
// left out.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

boost::asio::awaitable<void> get_settings(const Services&, const auth::AuthContext&, http::Request&,
                                          http::Response&);
boost::asio::awaitable<void> patch_settings(const Services&, const auth::AuthContext&,
                                            http::Request&, http::Response&);
boost::asio::awaitable<void> test_s3_settings(const Services&, const auth::AuthContext&,
                                              http::Request&, http::Response&);

}  // namespace basalt::api
