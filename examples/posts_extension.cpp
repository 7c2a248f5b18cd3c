// An example of Basalt as a library (docs/extending.md): the `basalt` command line with
//   - a before-create/update hook on `posts` that computes `slug` from `title` (refusing a
//     title under 3 characters with a field error) and sets `owner` to the signed-in user;
//   - an after-create hook counting the posts created since start;
//   - GET /api/example/summary for signed-in users: the posts the caller may list (its rules)
//     against all posts (as a superuser, asked explicitly);
//   - GET /api/example/posts/{slug} for anyone: a post by slug, under the caller's view rules;
//   - a daily cron job writing a `digests` record with the number of posts.
// Run it like basalt: `basalt-example-posts serve --http 127.0.0.1:8090 --dir pb_data`.
// It expects collections `posts` (title, slug, owner → users) and `digests` (posts: number);
// tests/e2e/extension_example.test.mjs creates them.
#include <atomic>
#include <boost/json.hpp>
#include <cctype>
#include <string>

#include "basalt/extension/app.hpp"

namespace bx = basalt::extension;
namespace json = boost::json;

namespace {

// "Hello, World!" -> "hello-world": ASCII letters and digits kept (lower case), every other run
// of characters one dash, none at either end. Not cut: the field's max length is checked by
// the record validation that runs after the hook.
std::string slugify(std::string_view title) {
  std::string slug;
  for (char c : title) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) && u < 0x80) {
      slug += static_cast<char>(std::tolower(u));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

bool is_slug(std::string_view text) {
  if (text.empty() || text.size() > 100) return false;
  for (char c : text) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
      return false;
    }
  }
  return true;
}

// Posts created since the process started; written by after-hooks on every worker at once.
std::atomic<long> created_since_start{0};

bx::Task<void> compute_slug(bx::RecordEvent& event) {
  const json::value* title = event.record.if_contains("title");
  if (!title) co_return;  // an update that leaves the title alone keeps its slug
  const std::string text = title->is_string() ? std::string(title->get_string()) : std::string();
  if (text.size() < 3) {
    throw bx::Error(400, "Title is too short.")
        .field("title", "too_short", "At least 3 characters.");
  }
  event.record["slug"] = slugify(text);
  // Owned by the user who creates it (a superuser may set another owner itself).
  if (!event.caller.is_guest() && event.caller.collection() == "users" && event.id.empty()) {
    event.record["owner"] = event.caller.id();
  }
  co_return;
}

bx::Task<void> count_created(bx::RecordEvent&) {
  created_since_start.fetch_add(1, std::memory_order_relaxed);
  co_return;
}

bx::Task<void> summary(bx::RouteRequest& request, bx::RouteResponse& response) {
  bx::ListQuery count_only;
  count_only.per_page = 1;
  const json::object visible = co_await request.records.list("posts", count_only);
  const json::object all = co_await request.superuser.list("posts", count_only);
  response.json(200, json::object{{"user", request.caller.id()},
                                  {"visiblePosts", visible.at("totalItems")},
                                  {"allPosts", all.at("totalItems")},
                                  {"createdSinceStart", created_since_start.load()}});
}

bx::Task<void> post_by_slug(bx::RouteRequest& request, bx::RouteResponse& response) {
  const std::string_view slug = request.param("slug");
  // Checked before it goes into the filter text.
  if (!is_slug(slug)) throw bx::Error(400, "Invalid slug.");
  bx::ListQuery query;
  query.filter = "slug = '" + std::string(slug) + "'";
  query.per_page = 1;
  query.skip_total = true;
  json::object page = co_await request.records.list("posts", std::move(query));
  json::array& items = page.at("items").as_array();
  if (items.empty()) throw bx::Error(404, "The requested resource wasn't found.");
  response.json(200, items.front());
}

bx::Task<void> daily_digest(bx::CronContext& context) {
  bx::ListQuery count_only;
  count_only.per_page = 1;
  const json::object posts = co_await context.superuser.list("posts", count_only);
  // Built before the co_await: GCC 12 refuses a braced json::object inside a co_await expression.
  json::object digest{{"posts", posts.at("totalItems")}};
  co_await context.superuser.create("digests", std::move(digest));
}

}  // namespace

int main(int argc, char** argv) {
  bx::App app(argc, argv);
  app.on_record_create("posts", bx::When::kBefore, compute_slug)
      .on_record_update("posts", bx::When::kBefore, compute_slug)
      .on_record_create("posts", bx::When::kAfter, count_created)
      .route("GET", "/api/example/summary", bx::RouteAuth::kUser, summary)
      .route("GET", "/api/example/posts/{slug}", bx::RouteAuth::kGuest, post_by_slug)
      .cron("example_digest", "0 3 * * *", daily_digest);
  return app.run();
}
