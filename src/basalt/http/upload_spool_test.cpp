#include "basalt/http/upload_spool.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "basalt/core/api_error.hpp"
#include "basalt/http/form_body.hpp"

namespace basalt::http {
namespace {

namespace fs = std::filesystem;

class UploadSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("basalt_spool_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  UploadPlan plan(std::uint64_t max_body) {
    UploadPlan out;
    out.max_body_bytes = max_body;
    out.spool_dir = dir_;
    return out;
  }

  static std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

  // Feeds `body` to `spool` in chunks of `chunk` bytes.
  static void feed(UploadSpool& spool, std::string_view body, std::size_t chunk) {
    for (std::size_t i = 0; i < body.size(); i += chunk) spool.feed(body.substr(i, chunk));
    spool.finish();
  }

  fs::path dir_;
};

std::string file_part(std::string_view name, std::string_view filename, std::string_view data) {
  return "--b\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"; filename=\"" +
         std::string(filename) + "\"\r\nContent-Type: text/plain\r\n\r\n" + std::string(data) +
         "\r\n";
}

TEST_F(UploadSpoolTest, FileDataGoesToTemporaryFilesValuesStayInMemory) {
  const std::string big(300 * 1024, 'x');  // past the 64 KiB write buffer
  const std::string body = "--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhi\r\n" +
                           file_part("doc", "a.txt", big) + file_part("doc+", "b.txt", "small") +
                           "--b--\r\n";
  for (std::size_t chunk : {1u << 20, 7u, 4096u}) {
    UploadSpool spool(plan(1 << 20), "b", spool_parser_limits(), 1 << 20);
    feed(spool, body, chunk);
    ASSERT_FALSE(spool.error()) << spool.error().message;
    FormBody form = decode_spooled_form(spool);
    EXPECT_EQ(form.data.at("title").as_string(), "hi");
    ASSERT_EQ(form.files.size(), 2u);
    EXPECT_EQ(form.files[0].field, "doc");
    EXPECT_EQ(form.files[0].filename, "a.txt");
    EXPECT_TRUE(form.files[0].data.empty());
    EXPECT_EQ(form.files[0].size, big.size());
    EXPECT_EQ(read_all(form.files[0].file.path()), big);
    EXPECT_EQ(form.files[1].field, "doc+");
    EXPECT_EQ(read_all(form.files[1].file.path()), "small");
    form.files.clear();
    EXPECT_TRUE(fs::is_empty(dir_)) << chunk;
  }
}

TEST_F(UploadSpoolTest, APartOverItsLimitIsCountedNotKept) {
  UploadPlan limited = plan(1 << 20);
  limited.max_file_bytes = [](std::string_view part) -> std::uint64_t {
    return part == "doc" ? 10 : 0;
  };
  UploadSpool spool(std::move(limited), "b", spool_parser_limits(), 1 << 20);
  feed(spool,
       file_part("doc", "a.txt", std::string(5000, 'y')) + file_part("title", "t.txt", "zz") +
           file_part("doc", "ok.txt", "tiny") + "--b--\r\n",
       1000);
  ASSERT_FALSE(spool.error());
  std::vector<SpooledFile> files = spool.take_files();
  ASSERT_EQ(files.size(), 3u);
  EXPECT_FALSE(files[0].kept);
  EXPECT_EQ(files[0].size, 5000u);
  EXPECT_FALSE(files[0].file);
  EXPECT_FALSE(files[1].kept);  // no limit for a part that names no file field
  EXPECT_TRUE(files[2].kept);
  EXPECT_EQ(read_all(files[2].file.path()), "tiny");
}

TEST_F(UploadSpoolTest, ATruncatedBodyIsAnErrorAndItsFilesGoWithTheSpool) {
  {
    UploadSpool spool(plan(1 << 20), "b", spool_parser_limits(), 1 << 20);
    feed(spool, file_part("doc", "a.txt", std::string(200 * 1024, 'q')), 4096);
    EXPECT_EQ(spool.error().code, MultipartErrc::kMissingFinalBoundary);
    EXPECT_THROW(decode_spooled_form(spool), core::ApiError);
  }
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(UploadSpoolTest, PlainValuesAreBoundedTogether) {
  std::string body;
  for (int i = 0; i < 10; ++i) {
    body += "--b\r\nContent-Disposition: form-data; name=\"v\"\r\n\r\n" + std::string(100, 'v') +
            "\r\n";
  }
  body += "--b--\r\n";
  UploadSpool spool(plan(1 << 20), "b", spool_parser_limits(), 500);
  feed(spool, body, 64);
  EXPECT_EQ(spool.error().code, MultipartErrc::kValueTooLarge);
}

TEST_F(UploadSpoolTest, AFileThatCannotBeWrittenIsAServerError) {
  UploadPlan missing = plan(1 << 20);
  missing.spool_dir = dir_ / "missing";
  UploadSpool spool(std::move(missing), "b", spool_parser_limits(), 1 << 20);
  feed(spool, file_part("doc", "a.txt", "x") + "--b--\r\n", 100);
  EXPECT_TRUE(spool.failed_to_store());
  try {
    decode_spooled_form(spool);
    FAIL() << "expected ApiError";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 500);
  }
}

// --- The process-wide budget (spool_budget.hpp) ---

TEST(SpoolBudget, ReservesWithinTheLimitAndGivesBack) {
  SpoolBudget budget(100);
  EXPECT_TRUE(budget.try_reserve(60));
  EXPECT_FALSE(budget.try_reserve(41));  // 101: nothing taken
  EXPECT_EQ(budget.in_use(), 60u);
  EXPECT_TRUE(budget.try_reserve(40));  // exactly the limit
  EXPECT_FALSE(budget.try_reserve(1));
  budget.release(100);
  EXPECT_EQ(budget.in_use(), 0u);
  EXPECT_FALSE(budget.try_reserve(101));
  EXPECT_FALSE(budget.try_reserve(~std::uint64_t{0}));  // no wrap-around
  SpoolBudget unlimited(0);
  EXPECT_TRUE(unlimited.try_reserve(~std::uint64_t{0} / 2));
}

TEST(SpoolBudget, AReservationGivesBackWhatItHoldsWhenDestroyedOrShrunk) {
  SpoolBudget budget(100);
  {
    SpoolReservation first(&budget);
    EXPECT_TRUE(first.grow(30));
    EXPECT_TRUE(first.grow(30));
    first.shrink(10);
    EXPECT_EQ(budget.in_use(), 50u);
    SpoolReservation moved(std::move(first));
    EXPECT_EQ(moved.held(), 50u);
    EXPECT_EQ(first.held(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty
    EXPECT_FALSE(moved.grow(51));
    EXPECT_EQ(moved.held(), 50u);
  }
  EXPECT_EQ(budget.in_use(), 0u);
}

TEST_F(UploadSpoolTest, ABodyPastTheBudgetKeepsNothingAndOthersKeepTheirs) {
  SpoolBudget budget(100 * 1024);
  const std::string other_body = file_part("doc", "o.txt", std::string(60 * 1024, 'o'));
  UploadSpool other(plan(1 << 20), "b", spool_parser_limits(), 1 << 20, &budget);
  other.feed(other_body);  // in flight: holds about 60 KiB (a boundary's worth may wait)
  EXPECT_GE(budget.in_use(), 59u * 1024);
  EXPECT_EQ(budget.in_use(), other.reserved());
  {
    UploadSpool spool(plan(1 << 20), "b", spool_parser_limits(), 1 << 20, &budget);
    feed(spool,
         file_part("doc", "a.txt", std::string(30 * 1024, 'a')) +
             file_part("doc", "b.txt", std::string(30 * 1024, 'b')) + "--b--\r\n",
         4096);
    EXPECT_TRUE(spool.over_budget());
    EXPECT_EQ(spool.reserved(), 0u);
    for (const SpooledFile& file : spool.take_files()) EXPECT_FALSE(file.kept);
    EXPECT_EQ(budget.in_use(), other.reserved());  // only the other request's
  }
  other.feed("--b--\r\n");
  other.finish();
  ASSERT_FALSE(other.over_budget());
  std::vector<SpooledFile> files = other.take_files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(read_all(files[0].file.path()), std::string(60 * 1024, 'o'));
  files.clear();
  EXPECT_TRUE(fs::is_empty(dir_));  // the refused request left nothing
}

TEST_F(UploadSpoolTest, APartDroppedOverItsLimitGivesItsBytesBackAtOnce) {
  SpoolBudget budget(1 << 20);
  UploadPlan limited = plan(1 << 20);
  limited.max_file_bytes = [](std::string_view part) -> std::uint64_t {
    return part == "small" ? 1000 : 1 << 20;
  };
  UploadSpool spool(std::move(limited), "b", spool_parser_limits(), 1 << 20, &budget);
  feed(spool,
       file_part("small", "a.txt", std::string(5000, 'y')) +
           file_part("big", "b.txt", std::string(2000, 'z')) + "--b--\r\n",
       500);
  EXPECT_EQ(spool.reserved(), 2000u);
  EXPECT_EQ(budget.in_use(), 2000u);
}

}  // namespace
}  // namespace basalt::http
