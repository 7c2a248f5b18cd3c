// gzip for response bodies: JSON bodies of at least `gzip-min-bytes` are compressed when the
// client's Accept-Encoding allows gzip. Small bodies are sent as is: under ~1 KiB the header
// overhead and CPU cost outweigh the saved bytes.
#pragma once

#include <string>
#include <string_view>

namespace basalt::http {

// True when an Accept-Encoding value lists gzip (or *) with a non-zero q-value.
bool accepts_gzip(std::string_view accept_encoding) noexcept;

// Compresses `input` into a gzip member appended to `out`. Level 1: these run on I/O threads,
// where CPU time is latency for every other request on the thread. Returns false (and leaves
// `out` as it was) if zlib fails.
bool gzip_compress(std::string_view input, std::string& out);

}  // namespace basalt::http
