// `basalt collections export|import`: collection definitions in and out of a data directory
// without the HTTP API, in the JSON shape of PUT /api/collections/import (docs/api.md, "Routes").
#pragma once

#include <iosfwd>
#include <string>

#include "basalt/core/config.hpp"

namespace basalt::app {

// Writes every collection (public form: token secrets blanked) as an indented JSON array to
// `out`. Returns the exit code: 0, or 1 when the data directory could not be opened (the
// reason is printed on `err`).
int export_collections(const core::Config& config, std::ostream& out, std::ostream& err);

// Reads `text` — a JSON array of collections, or {"collections":[...],"deleteMissing":bool} —
// and imports it in one transaction (`delete_missing` ORs with the document's flag). On any
// problem nothing changes and every problem is printed on `err` as JSON; returns 1.
int import_collections(const core::Config& config, const std::string& text, bool delete_missing,
                       std::ostream& err);

}  // namespace basalt::app
