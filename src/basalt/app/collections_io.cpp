#include "basalt/app/collections_io.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <ostream>

#include "basalt/app/run_blocking.hpp"
#include "basalt/app/storage.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/core/json_pretty.hpp"

namespace basalt::app {
namespace {

namespace json = boost::json;

void print_problem(std::ostream& err, const core::ApiError& error) {
  err << "basalt: " << error.message() << '\n';
  if (!error.data().empty()) err << core::json_pretty(error.data()) << '\n';
}

}  // namespace

int export_collections(const core::Config& config, std::ostream& out, std::ostream& err) {
  try {
    Storage storage(config);
    out << core::json_pretty(collections::export_collections(*storage.collections().catalog()))
        << '\n';
    return 0;
  } catch (const std::exception& error) {
    err << "basalt: " << error.what() << '\n';
    return 1;
  }
}

int import_collections(const core::Config& config, const std::string& text, bool delete_missing,
                       std::ostream& err) {
  boost::system::error_code ec;
  json::value document = json::parse(text, ec);
  if (ec) {
    err << "basalt: the file is not valid JSON: " << ec.message() << '\n';
    return 1;
  }
  json::value collections = document;
  if (const auto* object = document.if_object()) {
    collections = object->contains("collections") ? object->at("collections") : json::value();
    if (const auto* flag = object->if_contains("deleteMissing"); flag && flag->is_bool()) {
      delete_missing = delete_missing || flag->as_bool();
    }
  }
  try {
    Storage storage(config);
    run_blocking(storage.collections().import(collections, delete_missing));
    return 0;
  } catch (const core::ApiError& error) {
    print_problem(err, error);
    return 1;
  } catch (const std::exception& error) {
    err << "basalt: " << error.what() << '\n';
    return 1;
  }
}

}  // namespace basalt::app
