#include "records_scenario.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <utility>

#include "scenario_text.hpp"

namespace basalt::scenarios {
namespace {

namespace json = boost::json;

constexpr std::string_view kUserPassword = "scenario user password";
constexpr std::string_view kUserDomain = "@scenario.test";
constexpr std::size_t kBodyExcerpt = 600;  // enough of a response to explain a failure
constexpr std::string_view kMethods[] = {"GET", "POST", "PATCH", "PUT", "DELETE"};

// Thrown after a failed setup or binding line: the lines below depend on it.
struct FileAborted {};

std::string excerpt(std::string_view body) {
  if (body.size() <= kBodyExcerpt) return std::string(body);
  return std::string(body.substr(0, kBodyExcerpt)) + "...";
}

std::string show(const json::value* value) {
  return value ? json::serialize(*value) : std::string("(missing)");
}

bool is_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

class Runner {
 public:
  explicit Runner(const ScenarioServer& server) : server_(server) {}

  void line(int number, std::string_view text) {
    line_ = number;
    std::string_view rest = text;
    const std::string_view word = next_word(rest);
    if (word == "COLLECTION" || word == "USER" || word == "RECORD") {
      no_dangling_pending();
      has_step_ = false;  // checks below a setup line would be ambiguous
      if (word == "COLLECTION") setup("COLLECTION", "/api/collections", substitute(rest, vars_));
      if (word == "USER") user(rest);
      if (word == "RECORD") record(rest);
    } else if (word == "AS") {
      step(rest);
    } else if (word == "PENDING") {
      if (pending_) throw std::runtime_error("two PENDING lines in a row");
      if (rest.empty()) throw std::runtime_error("PENDING needs a reason");
      pending_ = std::string(rest);
    } else if (!word.empty() && word.front() == '$') {
      bind(word, rest);
    } else {
      check(text);
    }
  }

  void finish() { no_dangling_pending(); }

  RecordsScenarioResult result;

 private:
  struct Step {
    int line = 0;
    std::string text;  // the AS line, variables substituted
    testing::HttpResponse response;
    std::optional<json::value> body;  // parsed on first use
    bool broken = false;              // its status was wrong: shape checks would be noise
  };

  void fail(std::string message) { result.failures.push_back({line_, std::move(message)}); }

  void no_dangling_pending() const {
    if (pending_) throw std::runtime_error("PENDING must be followed by a check line");
  }

  void define(const std::string& name, std::string value) {
    if (!is_name(name)) throw std::runtime_error("bad variable name '" + name + "'");
    if (!vars_.emplace(name, std::move(value)).second) {
      throw std::runtime_error("$" + name + " is defined twice");
    }
  }

  // --- setup -----------------------------------------------------------------------------

  json::value setup(std::string_view what, const std::string& target, const std::string& body) {
    testing::HttpResponse response = server_.send("POST", target, server_.superuser_token(), body);
    if (response.status != 200) {
      fail(std::string(what) + " failed, the rest of the file is skipped: POST " + target + " " +
           body + "\n    response: " + std::to_string(response.status) + " " +
           excerpt(response.body));
      throw FileAborted{};
    }
    return json::parse(response.body);
  }

  static std::string id_of(const json::value& record) {
    const json::value* id = find_path(record, "id");
    if (!id || !id->is_string()) throw std::runtime_error("created record has no id");
    return std::string(id->get_string());
  }

  void user(std::string_view rest) {
    const std::string name(next_word(rest));
    json::object body;
    if (!rest.empty()) body = json::parse(substitute(rest, vars_)).as_object();
    const std::string email = name + std::string(kUserDomain);
    body["email"] = email;
    body["password"] = kUserPassword;
    body["passwordConfirm"] = kUserPassword;
    define(name, id_of(setup("USER", "/api/collections/users/records", json::serialize(body))));
    try {
      tokens_[name] = server_.sign_in("users", email, kUserPassword);
    } catch (const std::runtime_error& error) {
      fail(std::string("USER failed, the rest of the file is skipped: ") + error.what());
      throw FileAborted{};
    }
  }

  void record(std::string_view rest) {
    const std::string collection(next_word(rest));
    const std::string name(next_word(rest));
    if (rest.empty()) throw std::runtime_error("RECORD <collection> <name> {json}");
    define(name, id_of(setup("RECORD", "/api/collections/" + collection + "/records",
                             substitute(rest, vars_))));
  }

  // --- requests ----------------------------------------------------------------------------

  std::string token_of(std::string_view who) const {
    if (who == "guest") return {};
    if (who == "superuser") return server_.superuser_token();
    if (who.substr(0, 5) == "user:") {
      auto found = tokens_.find(std::string(who.substr(5)));
      if (found != tokens_.end()) return found->second;
    }
    throw std::runtime_error("unknown caller '" + std::string(who) + "'");
  }

  void step(std::string_view rest) {
    no_dangling_pending();
    const std::string who(next_word(rest));
    const std::string method(next_word(rest));
    if (std::find(std::begin(kMethods), std::end(kMethods), method) == std::end(kMethods)) {
      throw std::runtime_error("unknown method '" + method + "'");
    }
    const std::size_t brace = rest.find(" {");
    const std::string target = substitute(trim(rest.substr(0, brace)), vars_);
    if (target.empty() || target.front() != '/') throw std::runtime_error("no request path");
    std::optional<std::string> body;
    if (brace != std::string_view::npos) body = substitute(trim(rest.substr(brace)), vars_);
    step_ = Step{};
    step_.line = line_;
    step_.text = "AS " + who + " " + method + " " + target + (body ? " " + *body : "");
    step_.response = server_.send(method, encode_target(target), token_of(who), body);
    has_step_ = true;
  }

  // --- checks ------------------------------------------------------------------------------

  const json::value* body_json() {
    if (!step_.body) {
      boost::system::error_code error;
      json::value parsed = json::parse(step_.response.body, error);
      if (error) return nullptr;
      step_.body = std::move(parsed);
    }
    return &*step_.body;
  }

  // "" when the check holds, else what was wrong.
  std::string evaluate(std::string_view text) {
    std::string_view rest = text;
    const std::string_view path = next_word(rest);
    if (path == "EXPECT") {
      const std::string expected(next_word(rest));
      if (expected == std::to_string(step_.response.status)) return {};
      return "expected status " + expected + ", actual " + std::to_string(step_.response.status);
    }
    if (path == "body" && rest == "empty") {
      const std::string length = step_.response.header("content-length");
      if (step_.response.body.empty() && (length.empty() || length == "0")) return {};
      return "expected an empty body, actual Content-Length '" + length + "'";
    }
    const json::value* root = body_json();
    if (!root) return "the response body is not JSON";
    const json::value* at = find_path(*root, path);
    std::string_view verb = rest;
    verb = next_word(verb);
    if (verb == "length") {
      next_word(rest);
      const std::size_t expected = std::stoul(std::string(rest));
      const std::size_t size = at && at->is_array()    ? at->get_array().size()
                               : at && at->is_object() ? at->get_object().size()
                                                       : static_cast<std::size_t>(-1);
      if (size == expected) return {};
      return "expected length " + std::string(rest) + ", actual " + show(at);
    }
    if (verb == "absent") return at ? "expected no value, actual " + show(at) : std::string();
    if (verb == "ids") {
      next_word(rest);
      return check_ids(at, rest);
    }
    if (verb == "==") next_word(rest);
    if (rest.empty()) throw std::runtime_error("a check needs a value");
    const json::value expected = rest.front() == '$' && is_name(rest.substr(1))
                                     ? json::value(substitute(rest, vars_))
                                     : json::parse(substitute(rest, vars_));
    if (at && *at == expected) return {};
    return "expected " + json::serialize(expected) + ", actual " + show(at);
  }

  // The `id`s of a list of records, as a set.
  std::string check_ids(const json::value* at, std::string_view rest) const {
    std::vector<std::string> expected;
    while (!rest.empty()) expected.push_back(substitute(next_word(rest), vars_));
    std::sort(expected.begin(), expected.end());
    std::vector<std::string> actual;
    bool records = at && at->is_array();
    for (const auto& item : records ? at->get_array() : json::array()) {
      const json::value* id = find_path(item, "id");
      records = records && id && id->is_string();
      if (records) actual.emplace_back(id->get_string());
    }
    std::sort(actual.begin(), actual.end());
    if (records && actual == expected) return {};
    std::string wanted;
    for (const auto& id : expected) wanted += " " + id;
    return "expected ids" + wanted + ", actual " + show(at);
  }

  void check(std::string_view text) {
    if (!has_step_) throw std::runtime_error("a check line before any AS line");
    ++result.expectations;
    const std::optional<std::string> pending = std::exchange(pending_, std::nullopt);
    if (step_.broken) return;
    const std::string problem = evaluate(text);
    if (!problem.empty() && text.substr(0, 6) == "EXPECT") step_.broken = true;
    if (!pending) {
      if (!problem.empty()) fail(describe(text, problem));
    } else if (!problem.empty()) {
      result.pending.push_back({line_, *pending + "\n" + describe(text, problem)});
    } else {
      fail("this PENDING check holds now; remove its PENDING line (" + *pending + ")\n" +
           describe(text, "holds"));
    }
  }

  std::string describe(std::string_view check, std::string_view problem) const {
    return step_.text + "   (line " + std::to_string(step_.line) +
           ")\n    check:    " + std::string(check) + "\n    problem:  " + std::string(problem) +
           "\n    response: " + std::to_string(step_.response.status) + " " +
           excerpt(step_.response.body);
  }

  // `$name = <path>`: the string at the path of the last response.
  void bind(std::string_view name, std::string_view rest) {
    if (!has_step_) throw std::runtime_error("a binding before any AS line");
    no_dangling_pending();
    if (next_word(rest) != "=") throw std::runtime_error("expected `$name = <path>`");
    const json::value* root = step_.broken ? nullptr : body_json();
    const json::value* at = root ? find_path(*root, rest) : nullptr;
    if (!at || !at->is_string()) {
      fail(describe(std::string(name) + " = " + std::string(rest),
                    "no string to bind; the rest of the file is skipped"));
      throw FileAborted{};
    }
    define(std::string(name.substr(1)), std::string(at->get_string()));
  }

  const ScenarioServer& server_;
  Variables vars_;
  std::map<std::string, std::string> tokens_;  // USER name -> auth token
  std::optional<std::string> pending_;         // reason for the next check line
  bool has_step_ = false;
  Step step_;
  int line_ = 0;
};

}  // namespace

RecordsScenarioResult run_records_scenario(const std::filesystem::path& file,
                                           const ScenarioServer& server) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  Runner runner(server);
  std::string text;
  int number = 0;
  try {
    while (std::getline(in, text)) {
      ++number;
      const std::string_view line = trim(text);
      if (line.empty() || line.front() == '#') continue;
      runner.line(number, line);
    }
    runner.finish();
  } catch (const FileAborted&) {
  } catch (const std::exception& error) {
    throw std::runtime_error(file.string() + ":" + std::to_string(number) + ": " + error.what());
  }
  return std::move(runner.result);
}

}  // namespace basalt::scenarios
