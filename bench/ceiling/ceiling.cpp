// ceiling: the smallest honest Boost.Beast server we can write, answering what Basalt answers
// for GET /api/health and, given a Basalt data.db, for one record of the bench "posts"
// collection. bench/run.sh and bench/posts.sh measure Basalt against it, so the ratio shows what
// the framework costs on top of plain Beast and SQLite. Same threading model as Basalt
// (docs/architecture.md): one io_context per thread, each with its own SO_REUSEPORT acceptor, a
// coroutine per connection, keep-alive. Deliberately no pipelining tricks: wrk sends one
// request at a time per connection.
//
// Usage: ceiling PORT THREADS [DATA_DB]   (PORT 0 picks a free port; the chosen one is announced
// on stdout as "Server started at http://127.0.0.1:PORT", the same line Basalt prints). With
// DATA_DB, GET /posts/{id} answers what Basalt's GET /api/collections/posts/records/{id} does,
// and POST /posts inserts one post as Basalt's POST /api/collections/posts/records does: the
// same ~500-byte row (a new id, the bench body, the first user as author, whose existence it
// checks first), through one writer thread and connection that runs whatever is queued as one
// transaction (group commit), answering with the record JSON. The request body is not read:
// what the ceiling measures is the HTTP round trip, the hand-off to the writer and SQLite.
// GET /posts?page=N&perPage=M (M in 1..1000, default 30, as Basalt) stands for Basalt's
// GET /api/collections/posts/records?page=N&perPage=M&filter=published = true (bench/posts.sh's
// list-count): the same page SELECT and COUNT(*) SQL that Basalt builds for that filter, both
// run for every request on the worker thread's own connection (raw SQLite: no cache of the
// total), the COUNT skipped only where Basalt skips it (a page that is not full ends the list),
// answering the same list JSON.

#include <sqlite3.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kHealthBody = R"({"message":"API is healthy.","code":200,"data":{}})";
constexpr std::string_view kNotFoundBody =
    R"({"message":"The requested resource wasn't found.","status":404,"data":{}})";
constexpr std::string_view kPostPrefix = "/posts/";
constexpr std::string_view kListPath = "/posts";
// Columns in the byte order of their JSON keys, which is the order Basalt writes them in.
constexpr const char* kPostSql =
    "SELECT author, body, created, id, published, title, updated, views FROM posts WHERE id = ?";
// What Basalt's record service runs for the posts list with `filter=published = true` and no
// sort (records/record_service.cpp list_statements; fields in collection order, the boolean
// compared with 1). The select's columns are in field order, so kListColumn maps JSON keys to them.
constexpr const char* kListSql =
    "SELECT \"posts\".\"id\", \"posts\".\"title\", \"posts\".\"body\", \"posts\".\"views\", "
    "\"posts\".\"published\", \"posts\".\"author\", \"posts\".\"created\", "
    "\"posts\".\"updated\" FROM \"posts\" WHERE \"posts\".\"published\" = 1 LIMIT ?1 OFFSET ?2";
constexpr const char* kCountSql =
    "SELECT COUNT(*) FROM \"posts\" WHERE \"posts\".\"published\" = 1";
// Column indexes of the post fields in kPostSql (alphabetical, the JSON key order) and kListSql.
struct PostColumns {
  int author, body, created, id, published, title, updated, views;
};
constexpr PostColumns kViewColumns{0, 1, 2, 3, 4, 5, 6, 7};
constexpr PostColumns kListColumns{5, 2, 6, 0, 4, 1, 7, 3};
// Basalt's page bounds (records/record_service.hpp).
constexpr std::int64_t kDefaultPerPage = 30;
constexpr std::int64_t kMaxPerPage = 1000;
constexpr std::int64_t kMaxPage = 1'000'000'000;
// Beast sizes each read as capacity minus size (at least 512 bytes); reserving up front means a
// whole request arrives in one read.
constexpr std::size_t kInputReserve = 8192;
constexpr int kListenBacklog = 4096;

// The Date header changes once a second; formatting it per request would dominate a tiny
// response, so each thread keeps the formatted text of the current second.
std::string_view http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local char text[64];
  thread_local std::size_t length = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached_second = now;
    std::tm utc{};
    gmtime_r(&now, &utc);
    length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  }
  return {text, length};
}

// A JSON string as Go's encoding/json writes ASCII (Basalt's form): <, > and & escaped too.
// U+2028/U+2029, which Go also escapes, are left as they are: the bench data is ASCII.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

// One read-only connection and prepared statement per worker thread, as Basalt reads, with
// Basalt's default cache and mmap sizes so both servers ask the same of SQLite.
class PostReader {
 public:
  explicit PostReader(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
            SQLITE_OK ||
        sqlite3_exec(db_, "PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456", nullptr,
                     nullptr, nullptr) != SQLITE_OK ||
        !prepare(kPostSql, &select_) || !prepare(kListSql, &list_) ||
        !prepare(kCountSql, &count_)) {
      std::fprintf(stderr, "ceiling: %s: %s\n", path.c_str(), sqlite3_errmsg(db_));
      std::exit(1);
    }
    sqlite3_stmt* lookup = nullptr;
    sqlite3_prepare_v2(db_, "SELECT id FROM _collections WHERE name = 'posts'", -1, &lookup,
                       nullptr);
    if (sqlite3_step(lookup) == SQLITE_ROW) collection_id_ = column_text(lookup, 0);
    sqlite3_finalize(lookup);
  }
  PostReader(const PostReader&) = delete;
  PostReader& operator=(const PostReader&) = delete;
  ~PostReader() {
    sqlite3_finalize(select_);
    sqlite3_finalize(list_);
    sqlite3_finalize(count_);
    sqlite3_close(db_);
  }

  // The record JSON into `out`; false when no post has that id.
  bool read(std::string_view id, std::string& out) {
    sqlite3_bind_text(select_, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    bool found = sqlite3_step(select_) == SQLITE_ROW;
    if (found) {
      out.clear();
      append_record(out, select_, kViewColumns);
    }
    sqlite3_reset(select_);
    return found;
  }

  // The list JSON of one page of published posts into `out`, with its total counted as Basalt
  // counts it when no total is cached: a full page runs the COUNT, a shorter one ends the list.
  void list(std::int64_t page, std::int64_t per_page, std::string& out) {
    const std::int64_t offset = (page - 1) * per_page;
    sqlite3_bind_int64(list_, 1, per_page);
    sqlite3_bind_int64(list_, 2, offset);
    out = "{\"items\":[";
    std::int64_t items = 0;
    while (sqlite3_step(list_) == SQLITE_ROW) {
      if (items++ > 0) out += ',';
      append_record(out, list_, kListColumns);
    }
    sqlite3_reset(list_);
    std::int64_t total = offset + items;
    if (items == per_page || (items == 0 && page > 1)) {
      total = sqlite3_step(count_) == SQLITE_ROW ? sqlite3_column_int64(count_, 0) : 0;
      sqlite3_reset(count_);
    }
    char tail[160];
    std::snprintf(tail, sizeof tail,
                  "],\"page\":%lld,\"perPage\":%lld,\"totalItems\":%lld,\"totalPages\":%lld}",
                  static_cast<long long>(page), static_cast<long long>(per_page),
                  static_cast<long long>(total),
                  static_cast<long long>((total + per_page - 1) / per_page));
    out += tail;
  }

 private:
  bool prepare(const char* sql, sqlite3_stmt** statement) {
    return sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, statement, nullptr) ==
           SQLITE_OK;
  }
  static std::string_view column_text(sqlite3_stmt* statement, int column) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
    return {text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(statement, column))};
  }
  static void add_text(std::string& out, std::string_view key, sqlite3_stmt* statement,
                       int column) {
    out += key;
    append_json_string(out, column_text(statement, column));
  }
  // One post row of `statement` as Basalt's record JSON (keys in byte order).
  void append_record(std::string& out, sqlite3_stmt* statement, const PostColumns& at) const {
    add_text(out, "{\"author\":", statement, at.author);
    add_text(out, ",\"body\":", statement, at.body);
    out += ",\"collectionId\":";
    append_json_string(out, collection_id_);
    out += ",\"collectionName\":\"posts\"";
    add_text(out, ",\"created\":", statement, at.created);
    add_text(out, ",\"id\":", statement, at.id);
    out += sqlite3_column_int(statement, at.published) ? ",\"published\":true"
                                                       : ",\"published\":false";
    add_text(out, ",\"title\":", statement, at.title);
    add_text(out, ",\"updated\":", statement, at.updated);
    // Go writes an integral float64 without a fraction; the bench's views are whole numbers.
    double views = sqlite3_column_double(statement, at.views);
    char number[32];
    std::snprintf(number, sizeof number, std::trunc(views) == views ? "%.0f" : "%.17g", views);
    out += ",\"views\":";
    out += number;
    out += '}';
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
  sqlite3_stmt* list_ = nullptr;
  sqlite3_stmt* count_ = nullptr;
  std::string collection_id_;
};

// The write side: one thread owning the read-write connection. Workers queue an insert and are
// resumed on their own executor with the record JSON (empty when it failed); the writer runs
// everything queued as one BEGIN IMMEDIATE ... COMMIT, as Basalt's writer does, with Basalt's
// writer pragmas (WAL, synchronous=NORMAL).
class PostWriter {
 public:
  using Done = std::function<void(std::string)>;

  explicit PostWriter(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
            SQLITE_OK ||
        sqlite3_exec(db_,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA "
                     "foreign_keys=ON; PRAGMA cache_size = -65536; PRAGMA temp_store=MEMORY",
                     nullptr, nullptr, nullptr) != SQLITE_OK ||
        !prepare(kInsertSql, &insert_) || !prepare(kAuthorSql, &author_check_) ||
        !prepare("BEGIN IMMEDIATE", &begin_) || !prepare("COMMIT", &commit_)) {
      std::fprintf(stderr, "ceiling: %s: %s\n", path.c_str(), sqlite3_errmsg(db_));
      std::exit(1);
    }
    sqlite3_stmt* lookup = nullptr;
    sqlite3_prepare_v2(db_, "SELECT id FROM _collections WHERE name = 'posts'", -1, &lookup,
                       nullptr);
    if (sqlite3_step(lookup) == SQLITE_ROW) collection_id_ = text(lookup, 0);
    sqlite3_finalize(lookup);
    sqlite3_prepare_v2(db_, "SELECT id FROM users ORDER BY id LIMIT 1", -1, &lookup, nullptr);
    if (sqlite3_step(lookup) == SQLITE_ROW) author_ = text(lookup, 0);
    sqlite3_finalize(lookup);
    body_ = std::string(19 * 27, ' ');
    for (std::size_t i = 0; i < 19; ++i) body_.replace(i * 27, 27, "lorem ipsum dolor sit amet ");
    body_.resize(500);
    thread_ = std::thread([this] { run(); });
  }
  PostWriter(const PostWriter&) = delete;
  PostWriter& operator=(const PostWriter&) = delete;

  // Any thread: queues one insert; `done` runs on the writer thread.
  void submit(Done done) {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(done));
    wake_.notify_one();
  }

 private:
  static constexpr const char* kInsertSql =
      "INSERT INTO posts (id, title, body, views, published, author, created, updated) "
      "VALUES (?, ?, ?, 0, 0, ?, ?, ?)";
  static constexpr const char* kAuthorSql = "SELECT id FROM users WHERE id = ? LIMIT 1";

  bool prepare(const char* sql, sqlite3_stmt** statement) {
    return sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, statement, nullptr) ==
           SQLITE_OK;
  }
  static std::string text(sqlite3_stmt* statement, int column) {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
    return t ? t : "";
  }
  static bool run_once(sqlite3_stmt* statement) {
    int code = sqlite3_step(statement);
    sqlite3_reset(statement);
    return code == SQLITE_DONE || code == SQLITE_ROW;
  }

  // Ids of Basalt's default shape (docs/records.md, "Record ids"): 8 base-36 digits of the
  // millisecond since 2020, then 7 random ones, so the primary key index grows at its end as
  // Basalt's does (the comparison would otherwise measure random index pages, not the server).
  std::string new_id() {
    static constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuvwxyz";
    auto millis =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count() -
                                   1'577'836'800'000);
    std::string id(15, '0');
    for (std::size_t i = 8; i-- > 0; millis /= 36) id[i] = kDigits[millis % 36];
    for (std::size_t i = 8; i < 15; ++i) id[i] = kDigits[random_() % kDigits.size()];
    return id;
  }

  static std::string now_text() {
    auto now = std::chrono::system_clock::now();
    std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char out[40];
    std::size_t n = std::strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S", &utc);
    std::snprintf(out + n, sizeof out - n, ".%03dZ", static_cast<int>(millis.count()));
    return out;
  }

  // One post: the author check and the insert; the record JSON, or "" when either failed.
  std::string insert_one() {
    sqlite3_bind_text(author_check_, 1, author_.data(), static_cast<int>(author_.size()),
                      SQLITE_STATIC);
    bool author_exists = sqlite3_step(author_check_) == SQLITE_ROW;
    sqlite3_reset(author_check_);
    if (!author_exists) return {};
    std::string id = new_id();
    std::string now = now_text();
    auto bind = [&](int i, const std::string& v) {
      sqlite3_bind_text(insert_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    };
    static const std::string kTitle = "A new post";
    bind(1, id);
    bind(2, kTitle);
    bind(3, body_);
    bind(4, author_);
    bind(5, now);
    bind(6, now);
    if (!run_once(insert_)) return {};
    std::string out = "{\"author\":";
    append_json_string(out, author_);
    out += ",\"body\":";
    append_json_string(out, body_);
    out += ",\"collectionId\":";
    append_json_string(out, collection_id_);
    out += ",\"collectionName\":\"posts\",\"created\":";
    append_json_string(out, now);
    out += ",\"id\":";
    append_json_string(out, id);
    out += ",\"published\":false,\"title\":";
    append_json_string(out, kTitle);
    out += ",\"updated\":";
    append_json_string(out, now);
    out += ",\"views\":0}";
    return out;
  }

  void run() {
    for (;;) {
      std::deque<Done> batch;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return !queue_.empty(); });
        batch.swap(queue_);
      }
      std::vector<std::string> results;
      results.reserve(batch.size());
      bool began = run_once(begin_);
      for (std::size_t i = 0; i < batch.size(); ++i) {
        results.push_back(began ? insert_one() : std::string());
      }
      if (began && !run_once(commit_)) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        for (auto& result : results) result.clear();
      }
      for (std::size_t i = 0; i < batch.size(); ++i) batch[i](std::move(results[i]));
    }
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* author_check_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  std::string collection_id_, author_, body_;
  std::mt19937_64 random_{std::random_device{}()};  // writer thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Done> queue_;  // guarded by mutex_
  std::thread thread_;      // runs until the process is killed
};

// Suspends the calling coroutine until the writer has inserted one post; resumes it on its own
// executor with the record JSON ("" on failure).
asio::awaitable<std::string> insert_post(PostWriter& writer) {
  auto executor = co_await asio::this_coro::executor;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::string)>(
      [&writer, executor](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        writer.submit([shared, executor](std::string json) {
          asio::post(executor,
                     [shared, json = std::move(json)]() mutable { (*shared)(std::move(json)); });
        });
      },
      asio::use_awaitable);
}

// The value of `name` in the query string `query` ("a=1&b=2"), as a whole number in
// [min, max]; `fallback` when absent, empty or not a number (Basalt reads a bad page as 1), and
// clamped to the bounds otherwise.
std::int64_t query_number(std::string_view query, std::string_view name, std::int64_t fallback,
                          std::int64_t min, std::int64_t max) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.size() <= name.size() || !pair.starts_with(name) || pair[name.size()] != '=') continue;
    std::string_view text = pair.substr(name.size() + 1);
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return fallback;
    return std::clamp(value, min, max);
  }
  return fallback;
}

asio::awaitable<void> serve_connection(tcp::socket socket, PostReader* posts, PostWriter* writer) {
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  beast::flat_buffer input;
  input.reserve(kInputReserve);
  // One response object per connection: its field storage is reused across requests.
  http::response<http::string_body> response;
  auto token = asio::as_tuple(asio::use_awaitable);
  for (;;) {
    // string_body, not empty_body: a request with a body gets its 404 instead of a parse error.
    http::request<http::string_body> request;
    auto [read_ec, read_n] = co_await http::async_read(socket, input, request, token);
    if (read_ec) break;  // peer closed, reset or sent garbage: drop the connection

    bool get = request.method() == http::verb::get;
    std::string_view target = request.target();
    bool found = false;
    if (get && target == "/api/health") {
      found = true;
      response.body() = kHealthBody;
    } else if (get && posts && (target == kListPath || target.starts_with("/posts?"))) {
      std::string_view query = target.substr(std::min(target.size(), kListPath.size() + 1));
      posts->list(query_number(query, "page", 1, 1, kMaxPage),
                  query_number(query, "perPage", kDefaultPerPage, 1, kMaxPerPage), response.body());
      found = true;
    } else if (get && posts && target.starts_with(kPostPrefix)) {
      found = posts->read(target.substr(kPostPrefix.size()), response.body());
    } else if (request.method() == http::verb::post && writer && target == "/posts") {
      response.body() = co_await insert_post(*writer);
      found = !response.body().empty();
    }
    if (!found) response.body() = kNotFoundBody;
    response.result(found ? http::status::ok : http::status::not_found);
    response.version(request.version());
    response.set(http::field::content_type, "application/json");
    response.set(http::field::date, http_date());
    response.keep_alive(request.keep_alive());
    response.prepare_payload();  // Content-Length
    auto [write_ec, write_n] = co_await http::async_write(socket, response, token);
    if (write_ec || !request.keep_alive()) break;
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, PostReader* posts, PostWriter* writer) {
  auto token = asio::as_tuple(asio::use_awaitable);
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(token);
    if (ec) continue;  // e.g. EMFILE: keep serving the connections we have
    asio::co_spawn(acceptor.get_executor(), serve_connection(std::move(socket), posts, writer),
                   asio::detached);
  }
}

// SO_REUSEPORT must be set before bind on every socket that shares the port.
std::unique_ptr<tcp::acceptor> open_acceptor(asio::io_context& context, tcp::endpoint endpoint) {
  auto acceptor = std::make_unique<tcp::acceptor>(context);
  acceptor->open(endpoint.protocol());
  acceptor->set_option(asio::socket_base::reuse_address(true));
  int one = 1;
  ::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  acceptor->bind(endpoint);
  acceptor->listen(kListenBacklog);
  return acceptor;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: %s PORT THREADS [DATA_DB]\n", argv[0]);
    return 2;
  }
  auto port = static_cast<unsigned short>(std::stoul(argv[1]));
  int threads = std::max(1, std::stoi(argv[2]));

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::unique_ptr<PostReader>> readers;  // one per thread, used only by it
  // Shared by every thread; owns its own thread. Never destroyed: the process is killed.
  PostWriter* writer = argc == 4 ? new PostWriter(argv[3]) : nullptr;
  tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
  for (int i = 0; i < threads; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    acceptors.push_back(open_acceptor(*contexts.back(), endpoint));
    readers.push_back(argc == 4 ? std::make_unique<PostReader>(argv[3]) : nullptr);
    // With port 0 the first bind picks the port; the others must join that same port.
    endpoint = acceptors.back()->local_endpoint();
    asio::co_spawn(*contexts.back(), accept_loop(*acceptors.back(), readers.back().get(), writer),
                   asio::detached);
  }
  std::printf("Server started at http://127.0.0.1:%u\n", endpoint.port());
  std::fflush(stdout);

  // Runs until killed: a benchmark target needs no graceful shutdown.
  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i) workers.emplace_back([&contexts, i] { contexts[i]->run(); });
  contexts[0]->run();
  for (auto& worker : workers) worker.join();
}
