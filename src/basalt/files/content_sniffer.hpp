// What a stored file is, from its first bytes (libmagic), for the Content-Type and
// Content-Disposition it is served with and whether a thumbnail can be made of it
// (docs/files.md, "Serving"). The Storage interface keeps no content type, so serving detects
// it from the object itself, as uploads did when they checked it.
//
// Thread safety: sniff_content_type() may run on any number of threads at once; each thread
// loads its own libmagic handle on first use (a handle is not thread-safe) and keeps it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace basalt::files {

// How many leading bytes detection reads (what PocketBase's detector reads too).
inline constexpr std::size_t kSniffBytes = 3072;

// The MIME type of content starting with `head`, e.g. "image/png"; "application/octet-stream"
// when nothing is recognised or libmagic cannot be loaded (logged once per thread).
std::string sniff_content_type(std::string_view head);

}  // namespace basalt::files
