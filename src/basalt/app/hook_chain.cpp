#include "basalt/app/hook_chain.hpp"

namespace basalt::app {

HookChain::HookChain(std::initializer_list<records::HookPort*> ports) {
  for (records::HookPort* port : ports) {
    if (port) ports_.push_back(port);
  }
}

bool HookChain::wants(records::HookEvent event, std::string_view collection) const noexcept {
  for (const records::HookPort* port : ports_) {
    if (port->wants(event, collection)) return true;
  }
  return false;
}

boost::asio::awaitable<void> HookChain::before_write(records::HookEvent event,
                                                     records::WriteHookContext context) {
  for (records::HookPort* port : ports_) {
    if (port->wants(event, context.collection.name)) co_await port->before_write(event, context);
  }
}

boost::asio::awaitable<void> HookChain::after_write(records::HookEvent event,
                                                    records::WriteHookContext context) {
  for (records::HookPort* port : ports_) {
    if (port->wants(event, context.collection.name)) co_await port->after_write(event, context);
  }
}

boost::asio::awaitable<void> HookChain::after_read(records::HookEvent event,
                                                   const records::Caller& caller,
                                                   const schema::Collection& collection,
                                                   std::vector<records::Record>& records) {
  for (records::HookPort* port : ports_) {
    if (port->wants(event, collection.name)) {
      co_await port->after_read(event, caller, collection, records);
    }
  }
}

}  // namespace basalt::app
