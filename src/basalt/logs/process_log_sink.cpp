#include "basalt/logs/process_log_sink.hpp"

#include "basalt/core/logging.hpp"

namespace basalt::logs {

ProcessLogForward::ProcessLogForward(RequestLogger& logger) {
  core::set_log_forward(
      [&logger](int level, std::string_view message) { logger.log(level, std::string(message)); });
}

ProcessLogForward::~ProcessLogForward() {
  core::set_log_forward(nullptr);
}

}  // namespace basalt::logs
