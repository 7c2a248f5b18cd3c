// Random filters, records and requests over one collection of every field shape (tests only):
// the generators of the evaluator property test, shared with the PostgreSQL agreement test so
// that both draw the same filters from the same seeds.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <random>
#include <string>
#include <string_view>

#include "basalt/query/request_info.hpp"

namespace basalt::query::testing {

// The collection the generators aim at: "items" (text, number, bool, single and multiple
// select and relation to users, json, geoPoint, date).
std::string_view random_items_collection();
// A JSON value of any shape, nested up to two levels.
boost::json::value random_json(std::mt19937& rng, int depth);
// Some of the select values a, b, c.
boost::json::array random_subset(std::mt19937& rng);
// An "items" record with id rec<index, 12 digits>.
boost::json::object random_record(std::mt19937& rng, int index);
// A filter over "items": operands from fields, request values, literals, macros and
// geoDistance calls, joined by && and || up to two levels deep.
std::string random_expression(std::mt19937& rng, int depth);
// A request with random query, headers, body and (sometimes) `user` signed in.
RequestInfo random_request(std::mt19937& rng, const boost::json::object& user);

}  // namespace basalt::query::testing
