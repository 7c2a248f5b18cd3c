#include "basalt/query/testing/random_relations.hpp"

#include <boost/json/serialize.hpp>
#include <cstdio>
#include <iterator>

#include "basalt/query/testing/property_random.hpp"

namespace basalt::query::testing {

namespace json = boost::json;

const char* const kOrgRules[] = {"", "name != 'hidden'"};
const char* const kPermRules[] = {"", "active = true", "name != 'p3'"};
const char* const kPeopleRules[] = {"", "name != 'zed'", "org.name != 'hidden'"};
const char* const kCommentRules[] = {"", "score > 1", "author.perms.active ?= true"};
const char* const kLikeRules[] = {"", "kind != 'down'", "by.name != 'zed'"};

const char* const kSjPaths[] = {
    "title",
    "owner",
    "owner.name",
    "owner.org.name",
    "owner.org.id",
    "owner.perms.name",
    "owner.perms.active",
    "owner.perms:length",
    "owner.perms:each",
    "members.name",
    "members.org.name",
    "members.perms.active",
    "comments_via_post.body",
    "comments_via_post.score",
    "comments_via_post.author.name",
    "comments_via_post.author.org.name",
    "comments_via_post.author.perms.active",
    "owner.comments_via_author.score",
    "owner.comments_via_author.post.title",
    // Roots that are no single-column hop: a multiple relation of the record, a back-relation
    // through a multiple field, the requester's own relations, @collection.
    "members.id",
    "members.perms.name",
    "members.org.id",
    "likes_via_posts.kind",
    "likes_via_posts.by.name",
    "likes_via_posts.by.org.name",
    "@request.auth.name",
    "@request.auth.org.name",
    "@request.auth.perms.active",
    "@request.auth.perms.name",
    "@collection.orgs.name",
    "@collection.perms:p.active",
    "@collection.comments.post",
    "@collection.comments.author.name",
    "@collection.likes.kind",
};
const char* const kSjLiterals[] = {
    "'a'",  "''",       "'ann'", "'zed'", "'hidden'",        "'p1'", "'p3'",
    "'o1'", "1",        "2",     "true",  "false",           "null", "'b'",
    "0",    "'perm 1'", "'up'",  "id",    "@request.auth.id"};
const char* const kSjOperators[] = {"=",  "!=",  ">",  ">=",  "<",  "<=",  "~",  "!~",
                                    "?=", "?!=", "?>", "?>=", "?<", "?<=", "?~", "?!~"};
// The shapes the compiler treats specially, run on every database besides the random filters.
const char* const kSjShapes[] = {
    "owner.perms.active = true",
    "owner.perms.active ?= true",
    "owner.perms.name ?~ 'p'",
    "owner.perms.name ~ 'p'",
    "owner.org.name != 'hidden'",
    "owner.org.name = ''",
    "owner.org.name = null",
    "owner.perms.name ?= title && owner.perms.active ?= true",
    "owner.perms.active = true && owner.perms.name ?= 'p1'",
    "owner.perms.name ?= title || owner.org.name = 'a'",
    "owner.name = title && owner.perms.active ?= false",
    "owner.perms:length > 1 && owner.org.name ?!= 'zed'",
    "members.perms.active = true",
    "members.org.name ?= 'ann'",
    "comments_via_post.body ?~ 'a'",
    "comments_via_post.body = 'a'",
    "comments_via_post.score > 1 && comments_via_post.body ?= 'ann'",
    "comments_via_post.author.perms.active = true",
    "owner.comments_via_author.post.title ?= title",
    "members.name ?= 'ann'",
    "members.name = 'ann'",
    "members.name != 'ann'",
    "members.org.name ?!= 'hidden' && members.perms.active ?= true",
    "members.name ?= title",
    "likes_via_posts.kind ?= 'up'",
    "likes_via_posts.by.name = 'ann'",
    "likes_via_posts.by.org.name != 'hidden'",
    "@request.auth.org.name = 'ann'",
    "@request.auth.org.name != 'hidden'",
    "@request.auth.perms.active ?= true && owner = @request.auth.id",
    "@request.auth.perms.name ?= title",
    "@collection.comments.post ?= id && @collection.comments.score > 1",
    "@collection.orgs.name ?= 'hidden'",
    "@collection.perms:p.active = true",
    "@collection.likes.kind != 'up'",
    "@collection.likes.kind ?= title",
    "owner.name != 'zed'",
    "owner.org.name != 'a' && owner.name != 'b'",
};
const char* const kSjSorts[] = {"title", "-owner.name", "owner.org.name", "-created"};

std::string random_sj_filter(std::mt19937& rng, int depth) {
  if (depth < 2 && chance(rng, 0.35)) {
    return "(" + random_sj_filter(rng, depth + 1) + (chance(rng, 0.6) ? " && " : " || ") +
           random_sj_filter(rng, depth + 1) + ")";
  }
  // A path on the right, often the record's own title: a condition that reads the record and a
  // related row at once stays over plain joins, and must then keep sharing its row with the
  // semi-joins of the same path.
  std::string right = !chance(rng, 0.3)  ? pick(rng, kSjLiterals)
                      : chance(rng, 0.5) ? std::string("title")
                                         : std::string(pick(rng, kSjPaths));
  return std::string(pick(rng, kSjPaths)) + " " + pick(rng, kSjOperators) + " " + right;
}

std::string sj_id(const char* prefix, int n) {
  char out[24];
  std::snprintf(out, sizeof out, "%s%012d", prefix, n);
  return out;
}

// An id that is there, or (rarely) one no record has.
std::string some_id(std::mt19937& rng, const char* prefix, int count) {
  if (chance(rng, 0.1)) return sj_id(prefix, 900 + std::uniform_int_distribution(0, 9)(rng));
  return sj_id(prefix, std::uniform_int_distribution(0, count - 1)(rng));
}

std::unique_ptr<FilterFixture> random_sj_database(std::mt19937& rng) {
  auto fixture = std::make_unique<FilterFixture>();
  auto rule = [](const char* text) { return json::serialize(json::string(text)); };
  fixture->add_collection(R"({"id":"col_orgs","name":"orgs","type":"base","listRule":)" +
                          rule(pick(rng, kOrgRules)) +
                          R"(,"fields":[{"name":"name","type":"text"}]})");
  fixture->add_collection(R"({"id":"col_perms","name":"perms","type":"base","listRule":)" +
                          rule(pick(rng, kPermRules)) +
                          R"(,"fields":[{"name":"name","type":"text"},
                              {"name":"active","type":"bool"}]})");
  fixture->add_collection(R"({"id":"col_people","name":"people","type":"auth","listRule":)" +
                          rule(pick(rng, kPeopleRules)) +
                          R"(,"fields":[{"name":"name","type":"text"},
          {"name":"org","type":"relation","maxSelect":1,"collectionId":"col_orgs"},
          {"name":"perms","type":"relation","maxSelect":5,"collectionId":"col_perms"}]})");
  fixture->add_collection(R"({"id":"col_posts","name":"posts","type":"base","listRule":"",
      "fields":[{"name":"title","type":"text"},
                {"name":"owner","type":"relation","maxSelect":1,"collectionId":"col_people"},
                {"name":"members","type":"relation","maxSelect":5,"collectionId":"col_people"},
                {"name":"created","type":"autodate","onCreate":true}]})");
  fixture->add_collection(R"({"id":"col_likes","name":"likes","type":"base","listRule":)" +
                          rule(pick(rng, kLikeRules)) +
                          R"(,"fields":[{"name":"kind","type":"text"},
          {"name":"posts","type":"relation","maxSelect":4,"collectionId":"col_posts"},
          {"name":"by","type":"relation","maxSelect":1,"collectionId":"col_people"}]})");
  fixture->add_collection(
      R"({"id":"col_comments","name":"comments","type":"base","listRule":)" +
      rule(pick(rng, kCommentRules)) +
      R"(,"fields":[{"name":"body","type":"text"},{"name":"score","type":"number"},
          {"name":"post","type":"relation","maxSelect":1,"collectionId":"col_posts"},
          {"name":"author","type":"relation","maxSelect":1,"collectionId":"col_people"}]})");

  const char* const names[] = {"ann", "zed", "hidden", "a", "b", "p1", "p3", "perm 1", ""};
  for (int i = 0; i < 4; ++i) {
    fixture->insert("orgs", json::object{{"id", sj_id("org", i)}, {"name", pick(rng, names)}});
  }
  for (int i = 0; i < 6; ++i) {
    fixture->insert("perms", json::object{{"id", sj_id("prm", i)},
                                          {"name", pick(rng, names)},
                                          {"active", chance(rng, 0.5)}});
  }
  for (int i = 0; i < 6; ++i) {
    json::array perms;
    int count = std::uniform_int_distribution(0, 3)(rng);
    for (int k = 0; k < count; ++k) perms.push_back(json::string(some_id(rng, "prm", 6)));
    json::object person{{"id", sj_id("per", i)},
                        {"name", pick(rng, names)},
                        {"email", "p" + std::to_string(i) + "@x"},
                        {"emailVisibility", chance(rng, 0.5)},
                        {"perms", perms}};
    person["org"] = chance(rng, 0.2) ? std::string() : some_id(rng, "org", 4);
    fixture->insert("people", person);
  }
  for (int i = 0; i < 8; ++i) {
    json::array members;
    for (int k = 0; k < 6; ++k) {
      if (chance(rng, 0.3)) members.push_back(json::string(some_id(rng, "per", 6)));
    }
    json::object post{{"id", sj_id("pos", i)}, {"title", pick(rng, names)}, {"members", members}};
    post["owner"] = chance(rng, 0.2) ? std::string() : some_id(rng, "per", 6);
    fixture->insert("posts", post);
  }
  for (int i = 0; i < 12; ++i) {
    fixture->insert("comments", json::object{{"id", sj_id("com", i)},
                                             {"body", pick(rng, names)},
                                             {"score", std::uniform_int_distribution(0, 3)(rng)},
                                             {"post", some_id(rng, "pos", 8)},
                                             {"author", some_id(rng, "per", 6)}});
  }
  const char* const kinds[] = {"up", "down", ""};
  // Sometimes no like at all: an @collection.likes condition then reads its row of NULLs.
  const int likes = chance(rng, 0.25) ? 0 : 8;
  for (int i = 0; i < likes; ++i) {
    json::array posts;
    for (int k = 0; k < 3; ++k) {
      if (chance(rng, 0.5)) posts.push_back(json::string(some_id(rng, "pos", 8)));
    }
    json::object like{{"id", sj_id("lik", i)}, {"kind", pick(rng, kinds)}, {"posts", posts}};
    like["by"] = chance(rng, 0.2) ? std::string() : some_id(rng, "per", 6);
    fixture->insert("likes", like);
  }
  return fixture;
}

// The requester: a guest, a person of the database, or one whose record is gone.
RequestInfo random_sj_request(std::mt19937& rng) {
  RequestInfo request;
  if (chance(rng, 0.2)) return request;
  std::string id = chance(rng, 0.25) ? sj_id("per", 950) : some_id(rng, "per", 6);
  request.auth = AuthInfo{"col_people", "people", json::object{{"id", id}, {"name", "ann"}}};
  return request;
}

const std::size_t kSjShapeCount = std::size(kSjShapes);
const std::size_t kSjSortCount = std::size(kSjSorts);

}  // namespace basalt::query::testing
