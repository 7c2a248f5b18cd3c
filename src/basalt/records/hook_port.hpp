// HookPort: how the record service lets server-side scripts (src/basalt/scripting, docs/hooks.md)
// see and shape its work, without knowing anything about them. Null when no script is loaded.
//
// Where each call happens, and why:
//   before_write  in WriteOperation::prepare(), on the request's worker, after the rule-lock
//                 check and before the request-only validation. Never on the writer thread and
//                 never inside the transaction: a hook may take milliseconds and may call
//                 services itself, and the single writer must not wait for it. So a before-hook
//                 sees the request's values (and, for an update, the row as read before the
//                 job), not a locked row; the body it leaves is validated as the client's would
//                 be. Throwing core::ApiError rejects the write before any job is queued.
//   after_write   in WriteOperation::finish(), after the commit and the events. It can never
//                 undo the write; it must not throw (the implementation logs its errors).
//   after_read    at the end of list() and view(), on the items about to be answered: a hook
//                 may change the values of fields, remove fields from the answer and add keys
//                 (Record::hook_fields / hook_hidden). Throwing core::ApiError answers that error.
// A call whose Caller has `script` set (a write or read a script made) runs no hook, so hooks
// never recurse. wants() is the cheap test the service makes before building an event.
//
// Thread safety: every member may be called concurrently from any worker thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string_view>
#include <vector>

#include "basalt/query/request_info.hpp"
#include "basalt/records/caller.hpp"
#include "basalt/records/record.hpp"

namespace basalt::records {

enum class WriteKind;

enum class HookEvent {
  kBeforeCreate,
  kAfterCreate,
  kBeforeUpdate,
  kAfterUpdate,
  kBeforeDelete,
  kAfterDelete,
  kAfterList,
  kAfterView,
};

// One write as a hook sees it. `record` is mutable for before-hooks of create and update (the
// body the write goes on with); for after-hooks it is the record as committed.
struct WriteHookContext {
  const schema::Collection& collection;
  const Caller& caller;
  std::string_view id;                  // "" for a create's before-hook
  boost::json::object& record;          // see above
  const boost::json::object* original;  // update: the stored row read in prepare(); else null
  const query::RequestInfo& request;
};

class HookPort {
 public:
  virtual ~HookPort() = default;

  virtual bool wants(HookEvent event, std::string_view collection) const noexcept = 0;

  // kBeforeCreate / kBeforeUpdate / kBeforeDelete; may change `context.record`; throws
  // core::ApiError to reject.
  virtual boost::asio::awaitable<void> before_write(HookEvent event, WriteHookContext context) = 0;

  // kAfterCreate / kAfterUpdate / kAfterDelete; never throws.
  virtual boost::asio::awaitable<void> after_write(HookEvent event, WriteHookContext context) = 0;

  // kAfterList / kAfterView on the records about to be answered.
  virtual boost::asio::awaitable<void> after_read(HookEvent event, const Caller& caller,
                                                  const schema::Collection& collection,
                                                  std::vector<Record>& records) = 0;
};

}  // namespace basalt::records
