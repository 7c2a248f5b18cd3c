// Thumbnail generation (docs/files.md, "Thumbnails"): one make_thumbnail() call - decode,
// orient, crop, resize, encode - on a 4000x3000 JPEG made here with libvips (noise, so the
// decoder works as hard as on a photo), for the sizes a gallery asks for. Run it with
// --benchmark_repetitions=5 for medians; each call is one pool thread's work per first request.
#include <benchmark/benchmark.h>
#include <unistd.h>
#include <vips/vips.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "basalt/files/thumbnailer.hpp"

namespace {

namespace fs = std::filesystem;

fs::path bench_dir() {
  static const fs::path dir = [] {
    fs::path path = fs::temp_directory_path() / ("basalt_thumb_bench_" + std::to_string(getpid()));
    fs::create_directories(path);
    return path;
  }();
  return dir;
}

// A 4000x3000 sRGB JPEG of Gaussian noise at quality 90, written once.
const fs::path& source_jpeg() {
  static const fs::path path = [] {
    basalt::files::init_vips();
    const fs::path out = bench_dir() / "photo_4000x3000.jpg";
    VipsImage* bands[3] = {};
    for (VipsImage*& band : bands) {
      if (vips_gaussnoise(&band, 4000, 3000, "mean", 128.0, "sigma", 40.0, nullptr) != 0) {
        throw std::runtime_error(vips_error_buffer());
      }
    }
    VipsImage* joined = nullptr;
    VipsImage* bytes = nullptr;
    if (vips_bandjoin(bands, &joined, 3, nullptr) != 0 ||
        vips_cast_uchar(joined, &bytes, nullptr) != 0 ||
        vips_jpegsave(bytes, out.c_str(), "Q", 90, nullptr) != 0) {
      throw std::runtime_error(vips_error_buffer());
    }
    for (VipsImage* band : bands) g_object_unref(band);
    g_object_unref(joined);
    g_object_unref(bytes);
    return out;
  }();
  return path;
}

void BM_Thumbnail4000x3000Jpeg(benchmark::State& state, const char* size) {
  const fs::path& source = source_jpeg();
  const auto parsed = basalt::files::parse_thumb_size(size);
  const fs::path out = bench_dir() / "thumb.jpg";
  for (auto _ : state) {
    basalt::files::make_thumbnail(source, "image/jpeg", *parsed, out);
  }
  state.counters["source_MB"] = static_cast<double>(fs::file_size(source)) / 1e6;
}

BENCHMARK_CAPTURE(BM_Thumbnail4000x3000Jpeg, crop_100x100, "100x100")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK_CAPTURE(BM_Thumbnail4000x3000Jpeg, fit_1200x800f, "1200x800f")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK_CAPTURE(BM_Thumbnail4000x3000Jpeg, width_300x0, "300x0")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
