// Stored file names, made exactly as PocketBase makes them (docs/files.md, "Names"):
//
//   <snake-cased original base, at most 100 bytes, padded to 3 with random>_<10 random>[.ext]
//
//  - The original is first reduced to its last path segment as Go's filepath.Base does (Go's
//    multipart reader does this to every uploaded file name), so "../x", "/etc/passwd" or
//    "a\0b/c" can only ever name something inside the record's directory.
//  - The extension is what follows the last dot, or the last two dots ("a.tar.gz" -> ".tar.gz"),
//    with every byte outside [A-Za-z0-9_.*+=#-] removed; longer than 20 bytes it keeps its last
//    20 after a dot. When nothing is left, the extension of the content's detected MIME type is
//    used (possibly none).
//  - The base is snake-cased: split at every byte that is not an ASCII letter or digit, words
//    joined with '_', an '_' before an upper-case letter that follows a non-upper-case one,
//    all lower-cased. Non-ASCII bytes are separators, so the result is [a-z0-9_] only.
//  - Random parts are [a-z0-9] from the kernel's CSPRNG (getrandom), without modulo bias.
//
// Thread safety: pure functions apart from the random bytes; callable from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace basalt::files {

// Go's filepath.Base on '/'-separated paths: "" -> ".", trailing '/' ignored, "///" -> "/".
std::string base_name(std::string_view path);

// PocketBase's inflector.Snakecase (see above).
std::string snakecase(std::string_view text);

// `length` characters of [a-z0-9] from getrandom. Throws std::system_error if it fails.
std::string random_lower_alnum(std::size_t length);

// The extension PocketBase keeps from `name` before cleaning: ".png", ".tar.gz", "" (none).
std::string_view raw_extension(std::string_view name);

// The stored name for an upload named `original` (already reduced by base_name()) whose content
// was detected as `detected_mime` (used only when the name has no usable extension).
std::string normalize_file_name(std::string_view original, std::string_view detected_mime);

// The usual extension (with its dot) of a MIME type, or "" when unknown.
std::string_view extension_for_mime(std::string_view mime);

}  // namespace basalt::files
