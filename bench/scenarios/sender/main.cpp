// bench_scenario_sender: the timed loop of one benchmark scenario, handed over by
// bench/scenarios/load.mjs so that the load program's own cost stays far below the server's
// (Node's HTTP client saturated a core on the 1,000-request rows). See bench/README.md.
//
// Usage: bench_scenario_sender PLAN_FILE RESULT_FILE
// Reads the plan (request_plan.hpp), runs it (load_runner.hpp) and writes RESULT_FILE:
//   basalt-scenario-result 1
//   seconds WALL cpu CPU
//   then per request, in plan order: "STATUS LATENCY_US RETRIES BODY_BYTES\n" and the body.
// Exit status 0 when every request has an outcome (wrong answers are the caller's to judge),
// 2 on a bad plan or an unwritable result.
#include <cstdio>
#include <exception>
#include <fstream>

#include "load_runner.hpp"
#include "request_plan.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PLAN_FILE RESULT_FILE\n", argv[0]);
    return 2;
  }
  try {
    std::ifstream plan_file(argv[1], std::ios::binary);
    if (!plan_file) throw std::runtime_error(std::string("cannot read ") + argv[1]);
    const scenario_sender::Plan plan = scenario_sender::read_plan(plan_file);
    const scenario_sender::RunResult result = scenario_sender::run_plan(plan);

    std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
    out << "basalt-scenario-result 1\n";
    char line[128];
    std::snprintf(line, sizeof line, "seconds %.6f cpu %.6f\n", result.wall_seconds,
                  result.cpu_seconds);
    out << line;
    for (const auto& outcome : result.outcomes) {
      std::snprintf(line, sizeof line, "%d %lld %d %zu\n", outcome.status,
                    static_cast<long long>(outcome.latency_us), outcome.throttled_retries,
                    outcome.body.size());
      out << line << outcome.body;
    }
    out.flush();
    if (!out) throw std::runtime_error(std::string("cannot write ") + argv[2]);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_scenario_sender: %s\n", error.what());
    return 2;
  }
  return 0;
}
