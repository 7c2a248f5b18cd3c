#include "basalt/query/testing/blog_schema.hpp"

#include "basalt/query/testing/filter_fixture.hpp"

namespace basalt::query::testing {

const std::vector<std::string_view>& blog_schema() {
  static const std::vector<std::string_view> kSchema = {
      R"({"id":"col_tags","name":"tags","type":"base","listRule":"",
          "fields":[{"name":"name","type":"text"}]})",
      R"({"id":"col_vault","name":"vault","type":"base","listRule":null,
          "fields":[{"name":"name","type":"text"}]})",
      R"({"id":"col_notes","name":"notes","type":"base","listRule":"owner = @request.auth.id",
          "fields":[{"name":"text","type":"text"},
                    {"name":"owner","type":"relation","maxSelect":1,
                     "collectionId":"_pb_users_auth_"}]})",
      R"({"id":"col_posts","name":"posts","type":"base","listRule":"",
          "fields":[{"name":"title","type":"text"},{"name":"body","type":"text"},
                    {"name":"views","type":"number"},{"name":"flag","type":"bool"},
                    {"name":"labels","type":"select","maxSelect":3,"values":["a","b","c"]},
                    {"name":"tags","type":"relation","maxSelect":5,"collectionId":"col_tags"},
                    {"name":"author","type":"relation","maxSelect":1,
                     "collectionId":"_pb_users_auth_"},
                    {"name":"editors","type":"relation","maxSelect":5,
                     "collectionId":"_pb_users_auth_"},
                    {"name":"parent","type":"relation","maxSelect":1,"collectionId":"col_posts"},
                    {"name":"note","type":"relation","maxSelect":1,"collectionId":"col_notes"},
                    {"name":"vault","type":"relation","maxSelect":1,"collectionId":"col_vault"},
                    {"name":"meta","type":"json"},{"name":"loc","type":"geoPoint"},
                    {"name":"secret","type":"text","hidden":true},
                    {"name":"created","type":"autodate","onCreate":true}]})",
      R"({"id":"col_comments","name":"comments","type":"base","listRule":"",
          "fields":[{"name":"post","type":"relation","maxSelect":1,"collectionId":"col_posts"},
                    {"name":"author","type":"relation","maxSelect":1,
                     "collectionId":"_pb_users_auth_"},
                    {"name":"message","type":"text"}]})",
      R"json({"id":"col_likes","name":"likes","type":"base","listRule":"",
          "fields":[{"name":"posts","type":"relation","maxSelect":5,"collectionId":"col_posts"},
                    {"name":"user","type":"relation","maxSelect":1,
                     "collectionId":"_pb_users_auth_"}],
          "indexes":["CREATE UNIQUE INDEX idx_likes_user ON likes (user)"]})json",
  };
  return kSchema;
}

void add_blog_schema(FilterFixture& fixture) {
  for (std::string_view json : blog_schema()) fixture.add_collection(json);
}

}  // namespace basalt::query::testing
