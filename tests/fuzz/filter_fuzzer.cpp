// libFuzzer target for the filter language (docs/architecture.md): parse_filter and parse_sort on
// arbitrary bytes must return a well-formed result or throw ParseError, never crash, hang,
// leak or trip a sanitizer. Every returned tree is walked and checked against the invariants
// ast.hpp promises, so a parser bug that builds a bad tree fails here too.
//
// Every tree that parses is then resolved against a fixed schema in three modes (rule for a
// signed-in user, client filter for a guest, client filter for a superuser), compiled, and the
// SQL is prepared and run on an in-memory SQLite database holding one record per collection:
// resolving either yields a plan or throws ResolveError, and every plan yields SQL that SQLite
// accepts and runs without error, with exactly as many parameters as placeholders. Evaluable
// plans are also evaluated in memory (EvaluationError allowed).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <memory>
#include <type_traits>
#include <vector>

#include "basalt/collections/table_ddl.hpp"
#include "basalt/db/sqlite/sqlite_dialect.hpp"
#include "basalt/query/evaluator.hpp"
#include "basalt/query/functions.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/parser.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/query/sort.hpp"
#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/collection_json.hpp"
#include "basalt/schema/system_collections.hpp"

namespace {

using namespace basalt::query;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "invariant violated: %s\n", what);
  std::abort();
}

void require(bool condition, const char* what) {
  if (!condition) violated(what);
}

void check_range(SourceRange range, std::string_view source) {
  require(range.offset <= source.size() && range.length <= source.size() - range.offset,
          "node range inside the source");
}

void check_identifier(const Identifier& identifier, std::string_view source) {
  bool bare = identifier.root == IdentifierRoot::kRequestContext ||
              identifier.root == IdentifierRoot::kRequestMethod;
  require(bare == identifier.path().empty(), "path empty exactly for context/method");
  require(!bare || identifier.modifier == Modifier::kNone, "no modifier on context/method");
  for (std::string_view segment : identifier.path()) {
    require(!segment.empty(), "no empty path segment");
    require(segment.find_first_of(".:") == std::string_view::npos, "segments are split");
    require(segment.data() >= source.data() &&
                segment.data() + segment.size() <= source.data() + source.size(),
            "segments point into the Ast's source");
  }
  require((identifier.root == IdentifierRoot::kCollection) == !identifier.collection.empty(),
          "collection name exactly for @collection");
}

void check_operand(const Operand& operand, std::string_view source, int call_depth) {
  check_range(operand.range, source);
  if (const auto* identifier = std::get_if<Identifier>(&operand.value)) {
    check_identifier(*identifier, source);
  } else if (const auto* call = std::get_if<FunctionCall>(&operand.value)) {
    require(call_depth < kMaxFunctionDepth, "calls nest at most kMaxFunctionDepth levels");
    const FunctionSignature& function = signature(call->function);
    require(call->args().size() >= function.min_args && call->args().size() <= function.max_args,
            "call arity matches the signature");
    for (const Operand& arg : call->args()) check_operand(arg, source, call_depth + 1);
  }
}

std::size_t check_expr(const Expr& expr, std::string_view source, std::size_t depth,
                       std::size_t max_depth) {
  require(depth <= 2 * max_depth + 2, "tree depth bounded by the parenthesis limit");
  check_range(expr.range, source);
  if (const auto* comparison = std::get_if<Comparison>(&expr.node)) {
    check_operand(comparison->left, source, 0);
    check_operand(comparison->right, source, 0);
    return 1;
  }
  const auto& logical = std::get<Logical>(expr.node);
  require(logical.children().size() >= 2, "logical nodes have two children or more");
  std::size_t leaves = 0;
  for (const Expr& child : logical.children()) {
    if (const auto* inner = std::get_if<Logical>(&child.node)) {
      // A child of the same operator only comes from parentheses, which widen its range.
      require(inner->op != logical.op || source[child.range.offset] == '(',
              "same-operator children come from parentheses");
      // && binds tighter: an unparenthesised || never sits under an &&.
      require(logical.op != LogicalOp::kAnd || inner->op != LogicalOp::kOr ||
                  source[child.range.offset] == '(',
              "precedence");
    }
    leaves += check_expr(child, source, depth + 1, max_depth);
  }
  return leaves;
}

// The schema every input is resolved against: the system collections plus a few that cover
// every field type, relations both ways, a self-relation and a locked collection.
constexpr const char* kCollections[] = {
    R"({"id":"col_tags","name":"tags","type":"base","listRule":"name != 'x'",
        "fields":[{"name":"name","type":"text"}]})",
    R"({"id":"col_vault","name":"vault","type":"base","listRule":null,
        "fields":[{"name":"name","type":"text"}]})",
    R"({"id":"col_posts","name":"posts","type":"base","listRule":"",
        "fields":[{"name":"title","type":"text"},{"name":"views","type":"number"},
                  {"name":"flag","type":"bool"},{"name":"when","type":"date"},
                  {"name":"labels","type":"select","maxSelect":3,"values":["a","b"]},
                  {"name":"one","type":"select","maxSelect":1,"values":["a","b"]},
                  {"name":"tags","type":"relation","maxSelect":5,"collectionId":"col_tags"},
                  {"name":"author","type":"relation","maxSelect":1,
                   "collectionId":"_pb_users_auth_"},
                  {"name":"parent","type":"relation","maxSelect":1,"collectionId":"col_posts"},
                  {"name":"vault","type":"relation","maxSelect":1,"collectionId":"col_vault"},
                  {"name":"files","type":"file","maxSelect":2},
                  {"name":"meta","type":"json"},{"name":"loc","type":"geoPoint"},
                  {"name":"secret","type":"text","hidden":true}]})",
    R"({"id":"col_comments","name":"comments","type":"base","listRule":"",
        "fields":[{"name":"post","type":"relation","maxSelect":1,"collectionId":"col_posts"},
                  {"name":"posts","type":"relation","maxSelect":3,"collectionId":"col_posts"},
                  {"name":"message","type":"text"}]})",
};

struct Sqlite {
  ~Sqlite() { sqlite3_close(db); }
  sqlite3* db = nullptr;
};

struct World {
  std::vector<basalt::schema::Collection> collections;
  basalt::db::SqliteDialect dialect;
  Sqlite sqlite;
  RequestInfo user;
  RequestInfo guest;
  RequestInfo superuser;

  World() {
    collections = basalt::schema::system_collections();
    for (auto& c : collections) basalt::schema::apply_defaults(c);
    for (const char* json : kCollections) {
      auto parsed = basalt::schema::parse_collection(boost::json::parse(json),
                                                     basalt::schema::ParseMode::kCreate);
      require(parsed.errors.empty(), "fixture collection parses");
      basalt::schema::apply_defaults(parsed.collection);
      collections.push_back(std::move(parsed.collection));
    }
    require(sqlite3_open(":memory:", &sqlite.db) == SQLITE_OK, "sqlite opens");
    for (const auto& c : collections) {
      for (const auto& sql : basalt::collections::create_statements(c, dialect)) exec(sql);
      exec("INSERT INTO " + dialect.quote_identifier(c.name) + " DEFAULT VALUES");
    }
    user.auth =
        AuthInfo{"_pb_users_auth_", "users",
                 boost::json::parse(R"({"id":"u1","email":"a@b.c","verified":true})").as_object()};
    user.query["q"] = "x";
    user.headers["x_token"] = "t";
    user.body = boost::json::parse(R"({"title":"t","views":"5","labels":["a","b"],
        "tags":["t1","t2"],"author":"u1","meta":{"a":[1,{"b":2}]}})")
                    .as_object();
    superuser.auth =
        AuthInfo{"pbc_3142635823", "_superusers", boost::json::parse(R"({"id":"s1"})").as_object()};
  }

  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(sqlite.db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::fprintf(stderr, "fixture SQL failed: %s\n%s\n", error, sql.c_str());
      std::abort();
    }
  }

  const basalt::schema::Collection& posts() const {
    for (const auto& c : collections) {
      if (c.name == "posts") return c;
    }
    std::abort();
  }

  // Runs `sql` with `params`; it must prepare, bind and step to the end without an error.
  void run(const std::string& sql, const basalt::db::Params& params) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(sqlite.db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "SQL does not prepare: %s\n%s\n", sqlite3_errmsg(sqlite.db),
                   sql.c_str());
      std::abort();
    }
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(statement, sqlite3_finalize);
    require(static_cast<std::size_t>(sqlite3_bind_parameter_count(statement)) == params.size(),
            "one parameter per placeholder");
    for (std::size_t i = 0; i < params.size(); ++i) {
      int index = static_cast<int>(i + 1);
      const auto& value = params[i];
      if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        sqlite3_bind_int64(statement, index, *integer);
      } else if (const auto* real = std::get_if<double>(&value)) {
        sqlite3_bind_double(statement, index, *real);
      } else if (const auto* text = std::get_if<std::string>(&value)) {
        sqlite3_bind_text(statement, index, text->data(), static_cast<int>(text->size()),
                          SQLITE_TRANSIENT);
      } else {
        sqlite3_bind_null(statement, index);
      }
    }
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
      std::fprintf(stderr, "SQL fails: %s\n%s\n", sqlite3_errmsg(sqlite.db), sql.c_str());
      std::abort();
    }
  }
};

World& world() {
  static World instance;
  return instance;
}

const Clock::time_point kNow = Clock::time_point(std::chrono::seconds(1715941230));

void run_compiled(const Plan& plan, bool sort, const RequestInfo& request) {
  World& w = world();
  QueryBuilder builder(w.dialect, plan);
  if (sort) {
    builder.add_sort(plan, request, kNow);
  } else {
    builder.add_filter(plan, request, kNow);
  }
  CompiledQuery query = std::move(builder).finish();
  require(query.next_placeholder == query.params.size() + 1, "placeholders numbered from 1");
  w.run(query.select_sql(query.table + ".\"id\""), query.params);
  w.run(query.count_sql(), query.count_params());
  if (!sort && plan.evaluable()) {
    std::vector<basalt::db::Value> row(w.posts().fields.size(), std::string());
    try {
      evaluate(plan, row, request, kNow);
    } catch (const EvaluationError&) {
    }
  }
}

// Resolves and compiles a parsed filter (or sort) as a rule, a guest's and a superuser's
// client filter.
template <typename Parsed>
void resolve_and_compile(const Parsed& parsed, bool sort) {
  World& w = world();
  struct Mode {
    ResolveMode mode;
    bool superuser;
    const RequestInfo* request;
    const char* auth;
  };
  const Mode modes[] = {{ResolveMode::kRule, false, &w.user, "users"},
                        {ResolveMode::kClient, false, &w.guest, nullptr},
                        {ResolveMode::kClient, true, &w.superuser, "_superusers"}};
  for (const Mode& mode : modes) {
    ResolveContext context{w.posts(), w.collections};
    context.mode = mode.mode;
    context.superuser = mode.superuser;
    if (mode.auth != nullptr) {
      for (const auto& c : w.collections) {
        if (c.name == mode.auth) context.auth_collection = &c;
      }
    }
    try {
      PlanPtr plan;
      if constexpr (std::is_same_v<Parsed, Sort>) {
        plan = resolve_sort(parsed, context);
      } else {
        plan = resolve_filter(parsed, context);
      }
      run_compiled(*plan, sort, *mode.request);
    } catch (const ResolveError& error) {
      require(!error.message().empty(), "resolve error message");
    }
  }
}

void fuzz_filter(std::string_view text, const ParseLimits& limits) {
  try {
    Ast ast = parse_filter(text, limits);
    require(ast.source() == text, "the Ast keeps a copy of the text");
    require(text.size() <= limits.max_length, "length limit");
    std::size_t leaves = check_expr(ast.root(), ast.source(), 0, limits.max_depth);
    require(leaves == ast.leaf_count(), "leaf_count counts comparisons");
    require(leaves <= limits.max_leaves, "leaf limit");
    require(!to_string(ast).empty(), "printable");
    resolve_and_compile(ast, false);
  } catch (const ParseError& error) {
    require(error.position() <= std::max(text.size(), limits.max_length), "error position");
    require(!error.message().empty(), "error message");
  }
}

void fuzz_sort(std::string_view text) {
  try {
    Sort sort = parse_sort(text);
    require(sort.fields().size() <= kMaxSortFields, "sort field limit");
    for (const SortField& field : sort.fields()) {
      check_range(field.range, sort.source());
      require(field.range.length <= kMaxSortFieldLength, "sort field length limit");
      if (field.kind == SortKind::kField) check_identifier(field.identifier, sort.source());
    }
    to_string(sort);
    resolve_and_compile(sort, true);
  } catch (const ParseError& error) {
    require(error.position() <= text.size(), "sort error position");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz_filter(text, ParseLimits::client_filter());
  // Rules: no length limit; a tight depth so deep nesting is reached with short inputs too.
  fuzz_filter(text, ParseLimits{ParseLimits::kUnlimited, 200, 8});
  fuzz_sort(text);
  return 0;
}
