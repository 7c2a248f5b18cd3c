// Span: the spans the exporter sends are core::Span (core/span.hpp), so that every module can
// record child spans through core/span_scope.hpp without depending on this one.
#pragma once

#include "basalt/core/span.hpp"

namespace basalt::trace {

using core::Span;
using core::SpanAttribute;
using core::SpanKind;

}  // namespace basalt::trace
