#include "basalt/files/mime_type.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

namespace basalt::files {
namespace {

namespace fs = std::filesystem;

// The 8-byte PNG signature and an IHDR chunk: enough for libmagic.
const std::string kPng(
    "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89", 33);

fs::path write_temp(std::string_view name, std::string_view content) {
  fs::path path = fs::temp_directory_path() /
                  ("basalt_mime_" + std::to_string(::getpid()) + "_" + std::string(name));
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(DetectMimeType, ReadsTheContentNotTheName) {
  const fs::path png = write_temp("looks_like.pdf", kPng);
  const fs::path pdf = write_temp("looks_like.png", "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n");
  const fs::path text = write_temp("t.bin", "just some words\n");
  EXPECT_EQ(detect_mime_type(png), "image/png");
  EXPECT_EQ(detect_mime_type(pdf), "application/pdf");
  EXPECT_EQ(detect_mime_type(text), "text/plain");
  fs::remove(png);
  fs::remove(pdf);
  fs::remove(text);
}

TEST(DetectMimeType, WorksFromSeveralThreadsAtOnce) {
  const fs::path png = write_temp("threads.png", kPng);
  std::vector<std::thread> threads;
  std::atomic<int> right{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) right += detect_mime_type(png) == "image/png";
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(right.load(), 80);
  fs::remove(png);
}

TEST(SniffContentType, ReadsTheFirstBytes) {
  EXPECT_EQ(sniff_content_type(kPng), "image/png");
  EXPECT_EQ(sniff_content_type("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "application/pdf");
  EXPECT_EQ(sniff_content_type("just some words\n"), "text/plain");
  EXPECT_EQ(sniff_content_type(""), "application/octet-stream");
}

// The file and the buffer entry points share this thread's handle; both agree.
TEST(SniffContentType, AgreesWithTheFileDetectionOnOneThread) {
  const fs::path png = write_temp("both.png", kPng);
  EXPECT_EQ(detect_mime_type(png), sniff_content_type(kPng));
  EXPECT_EQ(sniff_content_type(kPng), detect_mime_type(png));
  fs::remove(png);
}

}  // namespace
}  // namespace basalt::files
