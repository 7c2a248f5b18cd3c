#include "basalt/http/server.hpp"

#include <boost/asio/ip/address.hpp>
#include <system_error>

#include "basalt/http/worker.hpp"

namespace basalt::http {

Server::Server(const ServerOptions& options, const Dispatcher& dispatcher, AccessLog& access_log,
               RequestObserver* observer, RequestTracer* tracer)
    : shared_{dispatcher, access_log, options.limits, observer, tracer} {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(options.host, ec);
  if (ec) throw std::system_error(ec, "invalid listen address '" + options.host + "'");
  boost::asio::ip::tcp::endpoint endpoint(address, options.port);
  const unsigned threads = options.threads == 0 ? 1 : options.threads;
  try {
    // The first listener fixes the port (the kernel's choice when 0 was asked for); the
    // others join it through SO_REUSEPORT.
    for (unsigned i = 0; i < threads; ++i) {
      workers_.push_back(std::make_unique<Worker>(shared_, endpoint, true));
      if (i == 0) {
        port_ = workers_.front()->local_endpoint().port();
        endpoint.port(port_);
      }
    }
  } catch (const boost::system::system_error& error) {
    throw std::system_error(
        error.code(), "cannot listen on " + options.host + ":" + std::to_string(endpoint.port()));
  }
}

Server::~Server() {
  for (auto& worker : workers_) worker->stop();
  for (auto& worker : workers_) worker->join();
}

void Server::start() {
  for (auto& worker : workers_) worker->start();
}

void Server::shutdown(std::chrono::milliseconds grace) {
  for (auto& worker : workers_) worker->begin_drain();
  {
    std::unique_lock lock(shared_.exit_mutex);
    shared_.exit_signal.wait_for(lock, grace,
                                 [&] { return shared_.exited_workers == workers_.size(); });
  }
  // Past the grace period whatever still runs is cut off; stop() is a no-op for the others.
  for (auto& worker : workers_) worker->stop();
  for (auto& worker : workers_) worker->join();
}

}  // namespace basalt::http
