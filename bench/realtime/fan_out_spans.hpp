// Per create (by its `seq`): when it was sent, and when the first and the last client received
// it. Splits the send-to-receipt latency in two: send to first receipt (the create, its commit
// and the start of delivery) and first to last receipt (the fan-out to every client, which
// grows with the clients). One per thread, merged at the end; a few dozen KiB per run.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "latency_histogram.hpp"

namespace rtbench {

class FanOutSpans {
 public:
  void record(std::int64_t seq, std::int64_t sent_us, std::int64_t received_us) {
    if (seq < 0 || seq >= kMaxSeq) return;
    auto index = static_cast<std::size_t>(seq);
    if (index >= spans_.size()) spans_.resize(index + 1);
    Span& span = spans_[index];
    span.sent_us = sent_us;
    if (received_us < span.first_us) span.first_us = received_us;
    if (received_us > span.last_us) span.last_us = received_us;
  }

  void merge(const FanOutSpans& other) {
    if (other.spans_.size() > spans_.size()) spans_.resize(other.spans_.size());
    for (std::size_t i = 0; i < other.spans_.size(); ++i) {
      const Span& theirs = other.spans_[i];
      if (theirs.sent_us < 0) continue;
      Span& ours = spans_[i];
      ours.sent_us = theirs.sent_us;
      if (theirs.first_us < ours.first_us) ours.first_us = theirs.first_us;
      if (theirs.last_us > ours.last_us) ours.last_us = theirs.last_us;
    }
  }

  // Histograms over the creates received at all: send to first receipt, first to last.
  void summarize(LatencyHistogram& to_first, LatencyHistogram& first_to_last) const {
    for (const Span& span : spans_) {
      if (span.sent_us < 0) continue;
      to_first.record(span.first_us - span.sent_us);
      first_to_last.record(span.last_us - span.first_us);
    }
  }

 private:
  static constexpr std::int64_t kMaxSeq = 10'000'000;  // 100/s for 27 hours

  struct Span {
    std::int64_t sent_us = -1;
    std::int64_t first_us = std::numeric_limits<std::int64_t>::max();
    std::int64_t last_us = std::numeric_limits<std::int64_t>::min();
  };
  std::vector<Span> spans_;
};

}  // namespace rtbench
