// The span of one SQL statement (docs/observability.md, "Child spans"): named
// "<OPERATION> <table>" after its text's first keyword and the table it names first, with
// OpenTelemetry's database attributes. Never the statement's values: Basalt's statements carry
// them as bound parameters, and only the operation and table are read from the text anyway.
//
// Inert, and the text not even looked at, when the calling thread's current span is not
// sampled (core/span_scope.hpp).
#pragma once

#include <string_view>

#include "basalt/core/span_scope.hpp"

namespace basalt::db {

struct StatementSummary {
  std::string_view operation;  // "SELECT", "INSERT", … as written (upper-cased on export)
  std::string_view table;      // unquoted; empty when none was found
};

// The first keyword of `sql` and the table after FROM (SELECT, DELETE), INTO (INSERT, REPLACE)
// or UPDATE; a WITH statement's main operation is not searched for (it is named "WITH").
StatementSummary summarize_statement(std::string_view sql) noexcept;

// Starts `span` as a statement span of `system` ("sqlite", "postgresql") when there is a
// sampled current span.
void start_statement_span(core::SpanScope& span, std::string_view sql, std::string_view system,
                          std::string_view connection_kind) noexcept;

}  // namespace basalt::db
