// The sweep of expired sign-in rows (docs/auth-flows.md, "Expired rows"): PocketBase's hourly
// cron jobs __pbOTPCleanup__ and __pbMFACleanup__. An `_otps` row is expired once older than
// its auth collection's otp.duration, an `_mfas` row once older than mfa.duration - for every
// auth collection, whether OTP or MFA is on or not (rows left from when it was). Expired rows
// are already refused by the flows; the sweep only keeps the tables from growing.
//
// The cron jobs of app (docs/jobs.md) call sweep_expired_auth_rows hourly, once per table. A
// pass reads a page of at most `page_size` expired rows of one collection on a read connection,
// then deletes them in one small write job (each row only if it is still there and still
// expired), publishing a RecordEvent per deleted row after the commit; the writer serves
// everyone else between pages, and `stop` is checked between pages.
//
// Thread ownership: sweep_expired_auth_rows runs on the caller's thread (a job runner's, or a
// test's), on an io_context of its own; never a worker nor the writer.
#pragma once

#include <atomic>
#include <cstddef>
#include <string_view>

#include "basalt/records/record_service.hpp"

namespace basalt::records {

struct ExpiredAuthRowsReport {
  std::size_t otps = 0;  // `_otps` rows deleted
  std::size_t mfas = 0;  // `_mfas` rows deleted
};

// One pass over every auth collection, with the service's clock as "now": both tables, or only
// `only_table` (schema::kOtpsCollection or schema::kMfasCollection) when given.
ExpiredAuthRowsReport sweep_expired_auth_rows(RecordService& records,
                                              const collections::CollectionService& collections,
                                              std::size_t page_size, const std::atomic<bool>& stop,
                                              std::string_view only_table = {});

}  // namespace basalt::records
