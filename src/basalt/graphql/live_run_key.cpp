#include "basalt/graphql/live_run_key.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <string_view>

#include "basalt/graphql/subscription_live_query.hpp"

namespace basalt::graphql {

namespace {

bool rule_names_ignoring_case(const schema::Rule& rule, std::string_view needle) {
  if (!rule || rule->size() < needle.size()) return false;
  const auto hit =
      std::search(rule->begin(), rule->end(), needle.begin(), needle.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
      });
  return hit != rule->end();
}

// Appends `text` with its length first, so that no two different part lists print the same.
void append_key_part(std::string& key, std::string_view text) {
  key += std::to_string(text.size());
  key += ':';
  key += text;
}

}  // namespace

RuleRequestReads rule_request_reads(const collections::Catalog& catalog) {
  RuleRequestReads reads;
  for (const schema::Collection& collection : catalog.all()) {
    for (const schema::Rule* rule :
         {&collection.list_rule, &collection.view_rule, &collection.create_rule,
          &collection.update_rule, &collection.delete_rule}) {
      reads.headers = reads.headers || rule_names_ignoring_case(*rule, "@request.headers");
      reads.query = reads.query || rule_names_ignoring_case(*rule, "@request.query");
    }
  }
  return reads;
}

LiveRunKeyParts live_run_key_parts(const LiveQueryRequest& request, const RequestPolicy& policy,
                                   const query::RequestInfo& info) {
  LiveRunKeyParts parts;
  append_key_part(parts.request, request.document);
  append_key_part(parts.request, request.operation_name);
  append_key_part(parts.request,
                  request.variables ? boost::json::serialize(*request.variables) : "");
  append_key_part(parts.request, request.over_get ? "get" : "post");
  const Limits& limits = policy.limits;
  for (const std::uint64_t bound :
       {std::uint64_t{limits.max_document_bytes}, std::uint64_t{limits.max_tokens},
        std::uint64_t{limits.max_depth}, std::uint64_t{limits.max_nesting},
        std::uint64_t{limits.max_fields}, std::uint64_t{limits.max_aliases},
        std::uint64_t{limits.max_list_items}, std::uint64_t{limits.max_fragment_spreads},
        std::uint64_t{limits.max_merge_comparisons}, std::uint64_t{limits.max_errors},
        static_cast<std::uint64_t>(policy.max_list_limit),
        std::uint64_t{policy.introspection_for_all},
        static_cast<std::uint64_t>(policy.mutation_timeout.count())}) {
    append_key_part(parts.request, std::to_string(bound));
  }
  append_key_part(parts.base, info.context);
  append_key_part(parts.base, info.method);
  append_key_part(parts.base, boost::json::serialize(info.body));
  parts.headers = boost::json::serialize(info.headers);
  parts.query = boost::json::serialize(info.query);
  return parts;
}

std::string live_run_key(std::uint64_t request_id, const LiveRunKeyParts& parts,
                         const records::Caller& caller, RuleRequestReads reads) {
  std::string key = std::to_string(request_id);
  key += '|';
  if (caller.is_guest()) {
    key += 'g';
  } else {
    append_key_part(key, caller.collection->id);
    append_key_part(key, caller.id());
  }
  append_key_part(key, parts.base);
  append_key_part(key, reads.headers ? std::string_view(parts.headers) : std::string_view("-"));
  append_key_part(key, reads.query ? std::string_view(parts.query) : std::string_view("-"));
  return key;
}

}  // namespace basalt::graphql
