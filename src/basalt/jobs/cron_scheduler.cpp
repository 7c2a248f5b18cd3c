#include "basalt/jobs/cron_scheduler.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

#include "basalt/metrics/job_metrics.hpp"

namespace basalt::jobs {
namespace {

namespace json = boost::json;

std::string minute_key(std::chrono::system_clock::time_point at) {
  const auto day = std::chrono::floor<std::chrono::days>(at);
  const std::chrono::year_month_day date(day);
  const auto in_day = std::chrono::floor<std::chrono::minutes>(at) - day;
  const auto hour = std::chrono::floor<std::chrono::hours>(in_day);
  return fmt::format("{:04}{:02}{:02}{:02}{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     hour.count(), (in_day - hour).count());
}

std::string run_payload(const std::string& id, std::string_view trigger) {
  json::object payload{{"id", id}, {"trigger", trigger}};
  return json::serialize(payload);
}

}  // namespace

CronScheduler::CronScheduler(JobRunner& runner, const core::Clock& clock)
    : runner_(runner), clock_(clock) {
  runner_.handle(std::string(kCronJobKind), [this](const ClaimedJob& job) { run_job(job); });
}

CronScheduler::~CronScheduler() {
  stop();
}

void CronScheduler::add(std::string id, std::string expression, std::function<void()> run) {
  if (id.empty()) throw std::invalid_argument("a cron job needs an id");
  if (!run) throw std::invalid_argument("a cron job needs a function");
  auto parsed = CronSchedule::parse(expression);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    throw std::invalid_argument("failed to add new cron job: " + *error);
  }
  const CronSchedule schedule = std::get<CronSchedule>(parsed);
  const auto next = schedule.next_after(clock_.now());
  std::lock_guard lock(mutex_);
  auto order = orders_.try_emplace(id, next_order_).first->second;
  if (order == next_order_) ++next_order_;
  running_.try_emplace(id, std::make_unique<std::mutex>());
  crons_.insert_or_assign(
      std::move(id),
      Cron{std::move(expression), schedule,
           std::make_shared<const std::function<void()>>(std::move(run)), order, next});
}

void CronScheduler::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  crons_.erase(id);
}

std::vector<CronEntry> CronScheduler::list() const {
  std::vector<std::pair<std::uint64_t, CronEntry>> entries;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, cron] : crons_) entries.push_back({cron.order, {id, cron.expression}});
  }
  auto system = [](const CronEntry& entry) { return entry.id.starts_with("__pb"); };
  std::stable_sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) {
    const bool a_system = system(a.second), b_system = system(b.second);
    if (a_system != b_system) return !a_system;
    if (a_system) return a.first < b.first;
    return a.second.id < b.second.id;
  });
  std::vector<CronEntry> list;
  for (auto& entry : entries) list.push_back(std::move(entry.second));
  return list;
}

boost::asio::awaitable<bool> CronScheduler::run_now(std::string id) {
  {
    std::lock_guard lock(mutex_);
    if (!crons_.contains(id)) co_return false;
  }
  NewJob job{std::string(kCronJobKind), run_payload(id, "manual"), {}, 1, std::nullopt};
  co_await runner_.enqueue(std::move(job));
  co_return true;
}

void CronScheduler::tick(std::chrono::system_clock::time_point now) {
  std::vector<std::pair<std::string, std::chrono::system_clock::time_point>> due;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, cron] : crons_) {
      if (!cron.next || *cron.next > now) continue;
      // The latest scheduled minute at or before now; earlier missed ones are skipped.
      auto scheduled = *cron.next;
      while (auto later = cron.schedule.next_after(scheduled)) {
        if (*later > now) break;
        scheduled = *later;
      }
      due.emplace_back(id, scheduled);
      cron.next = cron.schedule.next_after(now);
    }
  }
  for (const auto& [id, scheduled] : due) {
    NewJob job{std::string(kCronJobKind), run_payload(id, "schedule"), scheduled, 1,
               "cron:" + id + ":" + minute_key(scheduled)};
    try {
      runner_.enqueue_blocking(std::move(job));
    } catch (const std::exception& error) {
      spdlog::warn("cron: scheduling {} failed: {}", id, error.what());
    }
  }
}

void CronScheduler::run_job(const ClaimedJob& job) {
  std::string id;
  try {
    id = json::value_to<std::string>(json::parse(job.payload).at("id"));
  } catch (const std::exception&) {
    throw PermanentJobError("malformed cron job payload");
  }
  std::shared_ptr<const std::function<void()>> run;
  std::mutex* running = nullptr;
  {
    std::lock_guard lock(mutex_);
    const auto cron = crons_.find(id);
    if (cron == crons_.end()) {
      throw PermanentJobError("cron job \"" + id + "\" is not registered on this instance");
    }
    run = cron->second.run;
    running = running_.at(id).get();  // never erased, so the pointer stays valid
  }
  std::lock_guard one_at_a_time(*running);
  try {
    (*run)();
  } catch (const std::exception& error) {
    metrics::count_cron_run(id, false);
    throw;
  }
  metrics::count_cron_run(id, true);
}

void CronScheduler::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { loop(); });
}

void CronScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CronScheduler::loop() {
  for (;;) {
    tick(clock_.now());
    // The start of the next minute of the clock (a little after, so it is surely reached).
    const auto now = clock_.now();
    const auto next_minute =
        std::chrono::floor<std::chrono::minutes>(now) + std::chrono::minutes(1);
    const auto wait = next_minute - now + std::chrono::milliseconds(50);
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, wait, [this] { return stopping_; })) return;
  }
}

}  // namespace basalt::jobs
