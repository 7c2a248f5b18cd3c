#include "basalt/app/collections_io.hpp"

#include <sstream>

#include "basalt/app/admin_commands.hpp"

namespace basalt::app {

int export_collections(const core::Config& config, std::ostream& out, std::ostream& err) {
  return run_admin_command(config, {kCollectionsExport, {}}, out, err);
}

int import_collections(const core::Config& config, const std::string& text, bool delete_missing,
                       std::ostream& err) {
  std::ostringstream out;  // an import prints only problems
  return run_admin_command(config, {kCollectionsImport, {text, delete_missing ? "true" : "false"}},
                           out, err);
}

}  // namespace basalt::app
