// The body of a route that binds it into a fixed shape (sign-in, settings, collections,
// import). PocketBase binds JSON, multipart/form-data and urlencoded bodies on every route, so
// these bodies go through the decoder of record writes (http::decode_form_body: the same
// media types, limits and value inference, the same 400s), and then read form values the way
// PocketBase's struct binding does:
//  - a dotted name sets a nested member: `meta.appName=x` is {"meta":{"appName":"x"}} (only
//    for form bodies; a JSON key keeps its dots);
//  - a string member may arrive inferred as a number or bool (`password=123456`); it is read
//    back as its text (string_member).
// Uploaded files are ignored: none of these routes takes one. Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "basalt/http/form_body.hpp"
#include "basalt/http/request.hpp"

namespace basalt::api {

struct RequestBody {
  boost::json::object data;   // an empty body is an empty object
  bool form_encoded = false;  // multipart or urlencoded: plain values were inferred from text
};

// The body of a record write or batch: decoded like any other, or, when the connection
// spooled it (a multipart body of a route with an upload plan), taken from the spool with its
// files on disk. Throws like decode_form_body.
http::FormBody request_form(const http::Request& request);

// Throws core::ApiError 400 for a body the decoder refuses (unsupported type, not an object,
// malformed form, past a limit).
RequestBody request_body(const http::Request& request);

// A string member of `body`, or "" when it is absent; 400 (with a field error under `key`)
// when it is present but not a string (a form value inferred as number or bool counts as its
// text).
std::string string_member(const RequestBody& body, std::string_view key);

}  // namespace basalt::api
