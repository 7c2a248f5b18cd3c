// Removes bound parameters a statement's text never names (numbered `$N` placeholders).
#pragma once

#include <string>

#include "basalt/db/value.hpp"

namespace basalt::graphql {

// PostgreSQL refuses to prepare a statement whose text leaves out one of its `$N` parameters
// ("could not determine data type of parameter"); SQLite ignores such a parameter. Removes the
// parameters `sql` never names and renumbers the others in order. String literals and quoted
// identifiers are skipped while scanning; text it cannot judge (an unclosed quote, a number
// past the parameters) is left as it is.
void drop_unused_placeholders(std::string& sql, db::Params& params);

}  // namespace basalt::graphql
