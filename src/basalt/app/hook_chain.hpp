// HookChain: several records::HookPort as the one the record service holds (records/hook_port.hpp):
// a C++ extension's hooks first, then the Lua scripts' (docs/extending.md, "Order"). Each event
// goes to every port that wants it, in order: a before-hook sees the record as the ports before
// it left it, and a port that throws stops the chain (the write is refused with that error).
// Thread safety: as HookPort; the list of ports is fixed at construction.
#pragma once

#include <initializer_list>
#include <vector>

#include "basalt/records/hook_port.hpp"

namespace basalt::app {

class HookChain final : public records::HookPort {
 public:
  // Null ports are left out; every port outlives the chain.
  HookChain(std::initializer_list<records::HookPort*> ports);

  bool wants(records::HookEvent event, std::string_view collection) const noexcept override;
  boost::asio::awaitable<void> before_write(records::HookEvent event,
                                            records::WriteHookContext context) override;
  boost::asio::awaitable<void> after_write(records::HookEvent event,
                                           records::WriteHookContext context) override;
  boost::asio::awaitable<void> after_read(records::HookEvent event, const records::Caller& caller,
                                          const schema::Collection& collection,
                                          std::vector<records::Record>& records) override;

 private:
  std::vector<records::HookPort*> ports_;
};

}  // namespace basalt::app
