// Upload throughput of files::S3Storage::put_file against s3rver on loopback (with its SigV4
// check, tests/e2e/s3rver-sigv4.mjs), for one streamed PUT and for a multipart upload of the
// same file. Prints the median MiB/s of several runs and how much the peak RSS grew over the
// uploads (the file is streamed, so far less than its size); never fails on slowness.
//
//   build/release/bench/bench_s3_upload [size MiB = 20] [runs = 5]
//
// Includes s3rver's own cost (node writing to its temp directory), which dominates on loopback:
// the figure is a floor for what Basalt's client does, not a ceiling.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "basalt/files/s3_storage.hpp"
#include "basalt/files/testing/s3rver_process.hpp"

namespace {

using basalt::files::S3Config;
using basalt::files::S3Options;
using basalt::files::S3Storage;
using basalt::files::test_support::S3rverProcess;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// VmHWM (peak resident set) of this process, in KiB; -1 when unknown.
long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

double upload_mib_per_s(S3Storage& storage, const std::filesystem::path& file, std::size_t bytes,
                        const std::string& key) {
  const auto start = std::chrono::steady_clock::now();
  storage.put_file(key, file, "application/octet-stream");
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return static_cast<double>(bytes) / (1024.0 * 1024.0) / took.count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::stoul(argv[1]) : 20;
  const int runs = argc > 2 ? std::stoi(argv[2]) : 5;
  const std::size_t bytes = mib << 20;
  try {
    const auto file = std::filesystem::temp_directory_path() /
                      ("basalt-s3-bench-" + std::to_string(::getpid()) + ".bin");
    {  // written 1 MiB at a time, so the peak RSS below is the uploads' own
      std::mt19937_64 engine{42};
      std::ofstream out(file, std::ios::binary);
      std::string chunk(1 << 20, '\0');
      for (std::size_t written = 0; written < bytes; written += chunk.size()) {
        for (char& c : chunk) c = static_cast<char>(engine() & 0xFF);
        out.write(chunk.data(),
                  static_cast<std::streamsize>(std::min(chunk.size(), bytes - written)));
      }
    }
    S3rverProcess server("bench");
    const S3Config config{.bucket = "bench",
                          .region = S3rverProcess::kRegion,
                          .endpoint = server.endpoint(),
                          .access_key = S3rverProcess::kAccessKey,
                          .secret = S3rverProcess::kSecret,
                          .force_path_style = true};
    S3Options single;  // defaults: 32 MiB threshold, so a 20 MiB file is one PUT
    single.multipart_threshold = std::max<std::uint64_t>(single.multipart_threshold, bytes);
    S3Options multipart;
    multipart.multipart_threshold = 5 << 20;
    multipart.part_size = 5 << 20;  // S3's minimum part size
    S3Storage one_put(config, single);
    S3Storage in_parts(config, multipart);

    const long rss_before = peak_rss_kib();
    std::vector<double> put_rates;
    std::vector<double> multipart_rates;
    for (int run = 0; run < runs; ++run) {
      put_rates.push_back(upload_mib_per_s(one_put, file, bytes, "bench/put.bin"));
      multipart_rates.push_back(upload_mib_per_s(in_parts, file, bytes, "bench/multipart.bin"));
      std::fprintf(stderr, "run %d: PUT %.1f MiB/s, multipart %.1f MiB/s\n", run + 1,
                   put_rates.back(), multipart_rates.back());
    }
    const long rss_after = peak_rss_kib();
    std::filesystem::remove(file);
    std::printf("S3 upload of a %zu MiB file to s3rver on loopback, median of %d runs:\n", mib,
                runs);
    std::printf("  one streamed PUT        %.1f MiB/s\n", median(put_rates));
    std::printf("  multipart (5 MiB parts) %.1f MiB/s\n", median(multipart_rates));
    std::printf("  peak RSS of this process grew by %.1f MiB over the uploads\n",
                static_cast<double>(rss_after - rss_before) / 1024.0);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_s3_upload: %s\n", error.what());
    return 1;
  }
}
