// The behaviour every Storage backend promises (storage.hpp), as one parameterised gtest suite.
// A backend joins it with one line in its own test file:
//
//   INSTANTIATE_TEST_SUITE_P(Local, StorageContractTest, ::testing::Values(StorageBackend{
//       "local", [](const std::filesystem::path& scratch) {
//         return std::make_shared<LocalStorage>(scratch / "storage"); }}));
//
// Each test writes under a key prefix of its own, so backends may share one bucket or
// directory between tests. Backends should be built so that the suite's "large" file (3 MiB)
// takes their large-file path (S3: a multipart threshold below it) and a listing of five keys
// spans several pages (S3: a small list page size).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "basalt/files/storage.hpp"

namespace basalt::files::test_support {

struct StorageBackend {
  std::string name;
  // Builds the backend; `scratch` is an empty directory that lives as long as the test.
  std::function<std::shared_ptr<Storage>(const std::filesystem::path& scratch)> make;
};

inline std::string PrintToString(const StorageBackend& backend) {
  return backend.name;
}

class StorageContractTest : public ::testing::TestWithParam<StorageBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A file in the scratch directory with `content`.
  std::filesystem::path write_source(const std::string& name, const std::string& content);
  // `key` under this test's own prefix.
  std::string key(const std::string& rest) const { return prefix_ + "/" + rest; }

  std::filesystem::path scratch_;
  std::shared_ptr<Storage> storage_;
  std::string prefix_;
};

}  // namespace basalt::files::test_support
