#include "sim/report/junit.h"

#include <map>

namespace credsim::sim {

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += (c < 0x20 && c != '\n' && c != '\t') ? '?' : ch;
    }
  }
  return out;
}

std::string JUnitXml(const std::vector<PolicyRun>& runs) {
  // Group by scenario, in first-seen order (runs come sorted by file).
  std::vector<std::string> order;
  std::map<std::string, std::vector<const PolicyRun*>> by_scenario;
  for (const PolicyRun& r : runs) {
    if (!by_scenario.count(r.scenario)) order.push_back(r.scenario);
    by_scenario[r.scenario].push_back(&r);
  }
  size_t failures = 0;
  for (const PolicyRun& r : runs) failures += r.verdict.ok ? 0 : 1;
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites name=\"credsim scenarios\" tests=\"" + std::to_string(runs.size()) +
       "\" failures=\"" + std::to_string(failures) + "\">\n";
  for (const std::string& name : order) {
    const auto& list = by_scenario[name];
    size_t failed = 0;
    for (const PolicyRun* r : list) failed += r->verdict.ok ? 0 : 1;
    x += "  <testsuite name=\"" + XmlEscape(name) + "\" tests=\"" + std::to_string(list.size()) +
         "\" failures=\"" + std::to_string(failed) + "\" errors=\"0\">\n";
    for (const PolicyRun* r : list) {
      x += "    <testcase classname=\"scenarios." + XmlEscape(name) + "\" name=\"" +
           XmlEscape(r->expect.policy) + "\" file=\"" + XmlEscape(r->file) + "\">\n";
      x += "      <properties><property name=\"source\" value=\"" + XmlEscape(r->source) +
           "\"/><property name=\"seed\" value=\"" + std::to_string(r->seed) + "\"/></properties>\n";
      if (!r->verdict.ok) {
        x += "      <failure message=\"" + XmlEscape(r->verdict.why) + "\" type=\"expectation\">" +
             XmlEscape("expected: " + r->verdict.expected + "\nobserved: " + r->verdict.observed);
        for (const Violation& v : r->result.violations) {
          x += XmlEscape("\n" + v.oracle + " " + v.consumer + " @" + ShortDuration(v.t_ms) + ": " +
                         v.message);
        }
        x += "</failure>\n";
      }
      x += "      <system-out>" +
           XmlEscape("expected: " + r->verdict.expected + "; observed: " + r->verdict.observed) +
           "</system-out>\n";
      x += "    </testcase>\n";
    }
    x += "  </testsuite>\n";
  }
  x += "</testsuites>\n";
  return x;
}

}  // namespace credsim::sim
