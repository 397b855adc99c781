#include "engine/formats/oauth_profile.h"

#include "engine/formats/json_dom.h"

namespace credsim::formats {

using internal::JsonPath;

Result<OAuthProfile> ParseOAuthProfile(std::string_view body) {
  Result<internal::Element> dom = internal::ParseDom(body);
  if (!dom) return dom.error();
  const JsonPath root;
  simdjson::dom::object top;
  if (auto e = internal::ReadObject(dom.value(), root, &top)) return *e;
  OAuthProfile profile;
  internal::Element org_element;
  if (top["organization"].get(org_element) != simdjson::SUCCESS || org_element.is_null()) {
    return profile;
  }
  const JsonPath org_path = root.Member("organization");
  simdjson::dom::object org;
  if (auto e = internal::ReadObject(org_element, org_path, &org)) return *e;
  internal::Element value;
  std::optional<std::string> type;
  if (org["organization_type"].get(value) == simdjson::SUCCESS) {
    if (auto e = internal::ReadOptionalString(value, org_path.Member("organization_type"), &type)) {
      return *e;
    }
  }
  static constexpr std::string_view kPlans[] = {"max", "pro", "team", "enterprise"};
  for (std::string_view plan : kPlans) {
    if (type && *type == "claude_" + std::string(plan)) profile.subscription_type = plan;
  }
  if (org["rate_limit_tier"].get(value) == simdjson::SUCCESS) {
    if (auto e = internal::ReadOptionalString(value, org_path.Member("rate_limit_tier"),
                                              &profile.rate_limit_tier)) {
      return *e;
    }
  }
  return profile;
}

}  // namespace credsim::formats
