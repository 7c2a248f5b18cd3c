// MIME types detected from content with libmagic (never taken from the client's Content-Type).
//
// A magic_t is not thread-safe, so each thread that detects gets its own (opened on first use,
// closed when the thread ends): detection runs on the blocking pool, whose few threads live as
// long as the server. Loading the magic database costs a few milliseconds once per thread.
// Whether a type is allowed by a field is the schema's check (file_field.cpp).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace basalt::files {

// The MIME type of the file at `path`, e.g. "image/png"; "application/octet-stream" when
// libmagic cannot tell. Throws StorageError when libmagic cannot be loaded at all.
std::string detect_mime_type(const std::filesystem::path& path);

}  // namespace basalt::files
