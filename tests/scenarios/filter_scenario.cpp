#include "filter_scenario.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "basalt/db/postgres/postgres_dialect.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/query/evaluator.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/parser.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/query/sort.hpp"
#include "basalt/query/testing/blog_schema.hpp"
#include "basalt/query/testing/filter_fixture.hpp"
#include "basalt/query/testing/postgres_mirror.hpp"

namespace basalt::scenarios {
namespace {

namespace json = boost::json;
using namespace basalt::query;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ' ';
    out += item;
  }
  return out;
}

class Runner {
 public:
  // With `pg`, every case that SQLite answers runs on PostgreSQL too (the fixture mirrored into
  // the session's schema) and must give the same ids in the same order.
  explicit Runner(db::testing::LibpqSession* pg) {
    if (pg != nullptr) mirror_.emplace(fixture_, *pg);
  }

  void line(int number, std::string_view text) {
    line_ = number;
    std::string_view word = text.substr(0, text.find(' '));
    std::string_view rest = trim(text.substr(word.size()));
    if (word == "schema") {
      if (rest != "blog") throw std::runtime_error("unknown schema " + std::string(rest));
      testing::add_blog_schema(fixture_);
      mirrored_ = false;
    } else if (word == "collection") {
      fixture_.add_collection(rest);
      mirrored_ = false;
    } else if (word == "record") {
      mirrored_ = false;
      std::string_view collection = rest.substr(0, rest.find(' '));
      json::object record = json::parse(trim(rest.substr(collection.size()))).as_object();
      fixture_.insert(collection, record);
      records_[std::string(collection) + "/" + std::string(record.at("id").as_string())] = record;
    } else if (word == "on") {
      collection_ = rest;
    } else if (word == "mode") {
      mode_ = rest == "client" ? ResolveMode::kClient : ResolveMode::kRule;
    } else if (word == "as") {
      as(rest);
    } else if (word == "query" || word == "headers" || word == "body") {
      json::object values = json::parse(rest).as_object();
      (word == "query"     ? request_.query
       : word == "headers" ? request_.headers
                           : request_.body) = values;
    } else if (word == "context") {
      request_.context = rest;
    } else if (word == "method") {
      request_.method = rest;
    } else if (word == "sqlite-only") {
      // A documented engine difference (docs/postgres.md, "Differences"): SQLite's answer only.
      sqlite_only_ = true;
      run_case(rest);
      sqlite_only_ = false;
    } else {
      run_case(text);
    }
  }

  ScenarioResult result;

 private:
  void as(std::string_view who) {
    request_ = RequestInfo{};
    superuser_ = false;
    auth_collection_.clear();
    if (who == "guest") return;
    if (who == "superuser") {
      superuser_ = true;
      auth_collection_ = "_superusers";
      request_.auth = AuthInfo{fixture_.collection("_superusers").id, "_superusers",
                               json::object{{"id", "su1"}, {"email", "root@x.io"}}};
      return;
    }
    auto found = records_.find(std::string(who));
    if (found == records_.end()) throw std::runtime_error("no record " + std::string(who));
    auth_collection_ = who.substr(0, who.find('/'));
    const auto& collection = fixture_.collection(auth_collection_);
    request_.auth = AuthInfo{collection.id, collection.name, found->second};
  }

  void fail(std::string message) { result.failures.push_back({line_, std::move(message)}); }

  ResolveContext context() const {
    return fixture_.context(collection_, mode_, superuser_, auth_collection_);
  }

  void run_case(std::string_view text) {
    std::size_t arrow = text.rfind("=>");
    if (arrow == std::string_view::npos) {
      throw std::runtime_error("line " + std::to_string(line_) + ": no '=>' in a case");
    }
    std::string_view input = trim(text.substr(0, arrow));
    std::string expected(trim(text.substr(arrow + 2)));
    ++result.cases;
    std::string actual;
    bool sort = input.substr(0, 5) == "sort ";
    try {
      actual = sort ? run_sort(trim(input.substr(5))) : run_filter(input);
    } catch (const ParseError& error) {
      actual = "error " + std::string(to_string(error.code()));
    } catch (const ResolveError& error) {
      actual = "error " + std::string(to_string(error.code()));
    } catch (const std::exception& error) {
      actual = std::string("exception ") + error.what();
    }
    if (actual != expected) {
      fail(std::string(input) + "\n    expected: " + expected + "\n    actual:   " + actual);
    }
  }

  bool refused_text(std::string_view text) const {
    // The records service answers 403 from the raw text first, as PocketBase does.
    return mode_ == ResolveMode::kClient && !superuser_ && superuser_only_reference(text);
  }

  std::string run_filter(std::string_view filter) {
    if (refused_text(filter)) return "error superuser_only";
    Ast ast = parse_filter(filter, mode_ == ResolveMode::kRule ? ParseLimits::stored_rule()
                                                               : ParseLimits::client_filter());
    PlanPtr plan = resolve_filter(ast, context());
    CompiledQuery query =
        compile_filter(fixture_.database().dialect(), *plan, request_, testing::fixed_now());
    std::vector<std::string> ids = fixture_.ids(query);
    if (plan->evaluable()) cross_check(*plan, filter, ids);
    if (mirror_) {
      CompiledQuery on_postgres = compile_filter(postgres_, *plan, request_, testing::fixed_now());
      same_on_postgres(filter, ids, [&] { return mirror_->ids(on_postgres); });
    }
    return join(ids);
  }

  // PostgreSQL's answer (`run` on the mirror, brought up to date first) must be SQLite's.
  template <typename Run>
  void same_on_postgres(std::string_view input, const std::vector<std::string>& on_sqlite,
                        Run run) {
    if (sqlite_only_) return;
    if (!mirrored_) {
      mirror_->sync_tables();
      mirror_->copy_rows();
      mirrored_ = true;
    }
    try {
      std::vector<std::string> on_postgres = run();
      if (on_postgres != on_sqlite) {
        fail(std::string(input) + "\n    SQLite:     " + join(on_sqlite) +
             "\n    PostgreSQL: " + join(on_postgres));
      }
    } catch (const std::exception& error) {
      fail(std::string(input) + "\n    PostgreSQL failed: " + error.what());
    }
  }

  // The evaluator must select exactly what SQLite selected.
  void cross_check(const Plan& plan, std::string_view filter, const std::vector<std::string>& ids) {
    std::set<std::string> selected(ids.begin(), ids.end());
    for (const auto& id : fixture_.all_ids(collection_)) {
      bool expected = selected.count(id) > 0;
      bool actual = evaluate(plan, fixture_.row(collection_, id), request_, testing::fixed_now());
      if (actual != expected) {
        fail(std::string(filter) + "\n    evaluator says " + (actual ? "yes" : "no") + " for " +
             id + ", SQLite " + (expected ? "yes" : "no"));
      }
    }
  }

  std::string run_sort(std::string_view sort) {
    if (refused_text(sort)) return "error superuser_only";
    PlanPtr plan = resolve_sort(parse_sort(sort), context());
    QueryBuilder builder(fixture_.database().dialect(), *plan);
    builder.add_sort(*plan, request_, testing::fixed_now());
    CompiledQuery query = std::move(builder).finish();
    auto rows = db::testing::sync_wait(
        fixture_.database().query(query.select_sql(query.table + ".\"id\""), query.params));
    std::vector<std::string> ids;
    for (auto row : rows) ids.emplace_back(row.as_text(0));
    if (mirror_) {
      QueryBuilder on_postgres(postgres_, *plan);
      on_postgres.add_sort(*plan, request_, testing::fixed_now());
      CompiledQuery pg_query = std::move(on_postgres).finish();
      same_on_postgres(sort, ids, [&] { return mirror_->ordered_ids(pg_query); });
    }
    return join(ids);
  }

  testing::FilterFixture fixture_;
  const db::PostgresDialect postgres_;
  std::optional<testing::PostgresMirror> mirror_;
  bool mirrored_ = false;     // the mirror holds every table and row of the fixture
  bool sqlite_only_ = false;  // the case being run is not compared on PostgreSQL
  std::map<std::string, json::object> records_;
  std::string collection_ = "posts";
  ResolveMode mode_ = ResolveMode::kRule;
  bool superuser_ = false;
  std::string auth_collection_;
  RequestInfo request_;
  int line_ = 0;
};

}  // namespace

ScenarioResult run_filter_scenario(const std::filesystem::path& file,
                                   db::testing::LibpqSession* pg) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  Runner runner(pg);
  std::string text;
  int number = 0;
  while (std::getline(in, text)) {
    ++number;
    std::string_view line = trim(text);
    if (line.empty() || line.front() == '#') continue;
    runner.line(number, line);
  }
  return std::move(runner.result);
}

}  // namespace basalt::scenarios
