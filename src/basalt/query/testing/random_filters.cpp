#include "basalt/query/testing/random_filters.hpp"

#include <cstdio>

#include "basalt/query/testing/property_random.hpp"

namespace basalt::query::testing {
namespace json = boost::json;
namespace {

const char* const kTexts[] = {"",     "a",   "A",    "abc",  "ABC",   "5",     "5.0",   " 12 ",
                              "12",   "a%b", "a_b",  "x\\y", "héllo", "HÉLLO", "[1,2]", "null",
                              "true", "0",   "-3.5", "1e3",  "b",     "c",     "%",     "_"};
const char* const kSelects[] = {"a", "b", "c"};

const char* const kFields[] = {
    "title",        "body",       "num",        "flag",       "sel",          "multi",
    "rel",          "rels",       "meta",       "meta.a",     "meta.0",       "meta.a.b",
    "meta.a.0",     "loc",        "loc.lon",    "loc.lat",    "date",         "id",
    "title:lower",  "body:lower", "sel:lower",  "meta:lower", "meta.a:lower", "multi:each",
    "multi:length", "sel:each",   "sel:length", "rels:each",  "rels:length",  "rel:each",
    "multi:lower",  "rel.id"};
const char* const kRequests[] = {
    "@request.query.q",           "@request.query.missing",    "@request.headers.x_token",
    "@request.body.title",        "@request.body.num",         "@request.body.multi:each",
    "@request.body.multi:length", "@request.body.title:lower", "@request.body.title:changed",
    "@request.body.num:changed",  "@request.body.x:isset",     "@request.query.q:isset",
    "@request.context",           "@request.method",           "@request.auth.id",
    "@request.auth.verified",     "@request.auth.email",       "@request.body.meta",
    "@request.body.arr.1",        "@request.query.q:lower",    "@request.body.sel:each",
    "@request.body.rels:each",    "@request.body.flag"};
const char* const kLiterals[] = {"'a'",
                                 "''",
                                 "'A'",
                                 "'5'",
                                 "5",
                                 "0",
                                 "1.5",
                                 "-2",
                                 "null",
                                 "true",
                                 "false",
                                 "'%a%'",
                                 "'a\\_'",
                                 "'é'",
                                 "'abc'",
                                 "12",
                                 "'5.0'",
                                 "100",
                                 "100000000000000000000",
                                 "'b'",
                                 "'u1'",
                                 "'[\"a\"]'",
                                 "\"2024-05-17\""};
const char* const kMacros[] = {"@now", "@year", "@todayStart", "@month", "@weekday", "@yesterday"};
const char* const kOperators[] = {"=",  "!=",  ">",  ">=",  "<",  "<=",  "~",  "!~",
                                  "?=", "?!=", "?>", "?>=", "?<", "?<=", "?~", "?!~"};

}  // namespace

std::string_view random_items_collection() {
  return R"({"name":"items","type":"base","fields":[
      {"name":"title","type":"text"},{"name":"body","type":"text"},
      {"name":"num","type":"number"},{"name":"flag","type":"bool"},
      {"name":"sel","type":"select","maxSelect":1,"values":["a","b","c"]},
      {"name":"multi","type":"select","maxSelect":3,"values":["a","b","c"]},
      {"name":"rel","type":"relation","maxSelect":1,"collectionId":"_pb_users_auth_"},
      {"name":"rels","type":"relation","maxSelect":3,"collectionId":"_pb_users_auth_"},
      {"name":"meta","type":"json"},{"name":"loc","type":"geoPoint"},
      {"name":"date","type":"date"}]})";
}

json::value random_json(std::mt19937& rng, int depth) {
  switch (std::uniform_int_distribution<int>(0, depth > 1 ? 5 : 7)(rng)) {
    case 0:
      return nullptr;
    case 1:
      return std::uniform_int_distribution<int>(-3, 12)(rng);
    case 2:
      return pick(rng, {0.5, 1.5, -2.25, 3.0, 100.0, 1e20});
    case 3:
      return json::string(pick(rng, kTexts));
    case 4:
      return chance(rng, 0.5);
    case 5:
      return std::uniform_int_distribution<int>(0, 3)(rng);
    case 6: {
      json::array array;
      int n = std::uniform_int_distribution<int>(0, 3)(rng);
      for (int i = 0; i < n; ++i) array.push_back(random_json(rng, depth + 1));
      return array;
    }
    default: {
      json::object object;
      for (const char* key : {"a", "b", "0"}) {
        if (chance(rng, 0.6)) object[key] = random_json(rng, depth + 1);
      }
      return object;
    }
  }
}

json::array random_subset(std::mt19937& rng) {
  json::array out;
  for (const char* s : kSelects) {
    if (chance(rng, 0.45)) out.push_back(json::string(s));
  }
  return out;
}

json::object random_record(std::mt19937& rng, int index) {
  json::object r;
  char id[16];
  std::snprintf(id, sizeof id, "rec%012d", index);
  r["id"] = id;
  r["title"] = pick(rng, kTexts);
  r["body"] = pick(rng, kTexts);
  r["num"] = pick(rng, {0.0, 1.0, -2.5, 5.0, 12.0, 0.1, 3.0, 1e20, 100.0, -0.5});
  r["flag"] = chance(rng, 0.5);
  r["sel"] = chance(rng, 0.2) ? "" : pick(rng, kSelects);
  r["multi"] = random_subset(rng);
  r["rel"] = chance(rng, 0.3) ? "" : pick(rng, {"u1", "u2", "u3"});
  json::array rels;
  for (const char* u : {"u1", "u2", "u3"}) {
    if (chance(rng, 0.4)) rels.push_back(json::string(u));
  }
  r["rels"] = rels;
  r["meta"] = chance(rng, 0.15) ? json::value(nullptr) : random_json(rng, 0);
  json::object loc;
  loc["lon"] = pick(rng, {0.0, 1.0, 1.5, -20.0, 179.9});
  loc["lat"] = pick(rng, {0.0, 2.0, 45.5, -89.0});
  r["loc"] = loc;
  r["date"] = pick(rng, {"", "2024-05-17 10:20:30.456Z", "2023-01-01 00:00:00.000Z",
                         "2025-12-31 23:59:59.999Z"});
  return r;
}

namespace {

std::string random_operand(std::mt19937& rng, bool left) {
  int kind = std::uniform_int_distribution<int>(left ? -4 : 0, 9)(rng);
  if (kind <= 3) return pick(rng, kFields);
  if (kind <= 5) return pick(rng, kRequests);
  if (kind <= 7) return pick(rng, kLiterals);
  if (kind == 8) return pick(rng, kMacros);
  return pick(rng, {"geoDistance(loc.lon, loc.lat, 1, 2)", "geoDistance(num, 0, 0, 0)",
                    "geoDistance(loc.lon, loc.lat, @request.body.num, 45)"});
}

}  // namespace

std::string random_expression(std::mt19937& rng, int depth) {
  if (depth < 2 && chance(rng, 0.35)) {
    std::string out = "(" + random_expression(rng, depth + 1);
    int n = std::uniform_int_distribution<int>(1, 2)(rng);
    for (int i = 0; i < n; ++i) {
      out += chance(rng, 0.5) ? " && " : " || ";
      out += random_expression(rng, depth + 1);
    }
    return out + ")";
  }
  return random_operand(rng, true) + " " + pick(rng, kOperators) + " " + random_operand(rng, false);
}

RequestInfo random_request(std::mt19937& rng, const json::object& user) {
  RequestInfo request;
  request.method = pick(rng, {"GET", "POST"});
  request.context = pick(rng, {"default", "realtime"});
  if (chance(rng, 0.7)) request.query["q"] = pick(rng, kTexts);
  if (chance(rng, 0.5)) request.headers["x_token"] = pick(rng, kTexts);
  if (chance(rng, 0.8)) request.body["title"] = pick(rng, kTexts);
  if (chance(rng, 0.6)) {
    request.body["num"] = chance(rng, 0.5) ? json::value(pick(rng, {"5", "12", "x", "1e3", " 5"}))
                                           : json::value(pick(rng, {5.0, 0.0, -2.5}));
  }
  if (chance(rng, 0.6)) {
    request.body["multi"] = chance(rng, 0.6) ? json::value(random_subset(rng))
                                             : json::value(json::array{5, "a", 12.5, "12"});
  }
  if (chance(rng, 0.3)) request.body["x"] = nullptr;
  if (chance(rng, 0.4)) request.body["meta"] = random_json(rng, 0);
  if (chance(rng, 0.4)) request.body["arr"] = json::array{1, "two", 3.5};
  if (chance(rng, 0.4)) request.body["sel"] = pick(rng, kSelects);
  if (chance(rng, 0.4)) request.body["rels"] = json::array{"u1", "u3"};
  if (chance(rng, 0.4)) request.body["flag"] = chance(rng, 0.5);
  if (chance(rng, 0.6)) request.auth = AuthInfo{"_pb_users_auth_", "users", user};
  return request;
}

}  // namespace basalt::query::testing
