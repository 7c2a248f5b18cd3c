// MIME types detected from content with libmagic, never taken from a client's Content-Type:
// an upload's from its spooled file (the type a field's `mimeTypes` is checked against), a
// served object's from its first bytes (the Storage interface keeps no type; the
// Content-Type, Content-Disposition and whether a thumbnail can be made follow from it,
// docs/files.md "Serving").
//
// Thread safety: a magic_t is not thread-safe, so each thread that detects opens its own on
// first use and keeps it until the thread ends; both functions below share it. Detection runs
// on the blocking pool (uploads) and the files io pool (serving), whose few threads live as
// long as the server, so the database is loaded (a few milliseconds) once per thread.
// Whether a type is allowed by a field is the schema's check (file_field.cpp).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace basalt::files {

// How many leading bytes serving reads for detection (what PocketBase's detector reads too).
inline constexpr std::size_t kSniffBytes = 3072;

// The MIME type of the file at `path`, e.g. "image/png"; "application/octet-stream" when
// libmagic cannot tell. Throws StorageError when libmagic cannot be loaded at all: an upload
// is refused rather than stored under a type nobody checked.
std::string detect_mime_type(const std::filesystem::path& path);

// The MIME type of content starting with `head`; "application/octet-stream" when nothing is
// recognised, and also when libmagic cannot be loaded (logged): a stored file is still served,
// as an attachment.
std::string sniff_content_type(std::string_view head);

}  // namespace basalt::files
