// MIME types detected from content with libmagic (never taken from the client's Content-Type).
//
// A magic_t is not thread-safe, so each thread that detects gets its own (opened on first use,
// closed when the thread ends): detection runs on the blocking pool, whose few threads live as
// long as the server. Loading the magic database costs a few milliseconds once per thread.
//
// Matching follows PocketBase's field check: a field's `mimeTypes` entry matches when it equals
// the detected type, ignoring ASCII case and parameters ("text/plain; charset=utf-8").
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace basalt::files {

// The MIME type of the file at `path`, e.g. "image/png"; "application/octet-stream" when
// libmagic cannot tell. Throws StorageError when libmagic cannot be loaded at all.
std::string detect_mime_type(const std::filesystem::path& path);

// Whether `detected` is one of `allowed` (see above). An empty list allows nothing; callers
// skip the check when the field has no list.
bool mime_type_allowed(std::string_view detected, std::span<const std::string> allowed);

}  // namespace basalt::files
