// The headers a served file carries besides those of ranges and validators (docs/files.md,
// "Serving"), chosen as PocketBase's filesystem Serve chooses them.
#pragma once

#include <string>
#include <string_view>

namespace basalt::files {

// Forbids scripts and embedding of anything a served file could be made to contain.
inline constexpr std::string_view kFileContentSecurityPolicy =
    "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox";
// 30 days, reusable while revalidating for one more day.
inline constexpr std::string_view kFileCacheControl =
    "max-age=2592000, stale-while-revalidate=86400";

// Whether a file of the detected `content_type` may be shown inline: images, video, audio and
// PDF that browsers render without running anything; everything else is an attachment.
bool is_inline_content_type(std::string_view content_type) noexcept;

// The Content-Type to send for a file named `filename` whose content was detected as
// `detected`: the detection, except for the extensions browsers need a fixed type for (.svg,
// .css, .js, .mjs and the Office Open XML documents), whose content sniffs as something
// generic.
std::string_view served_content_type(std::string_view filename, std::string_view detected) noexcept;

// `inline; filename=<name>` or `attachment; filename=<name>` (`download` forces the latter).
std::string content_disposition(std::string_view detected_content_type, std::string_view name,
                                bool download);

}  // namespace basalt::files
