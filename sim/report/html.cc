#include "sim/report/html.h"

#include <filesystem>
#include <fstream>
#include <map>

#include "sim/report/junit.h"
#include "sim/report/timeline_svg.h"

namespace credsim::sim {
namespace {

constexpr const char* kStyle = R"css(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2330}
h1{font-size:20px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 4px}
 h3{font-size:15px;margin:18px 0 4px}
table{border-collapse:collapse;margin-top:12px}
 td,th{border-bottom:1px solid #dde;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f3f4f8} .pass{color:#17743a;font-weight:600} .fail{color:#b3261e;font-weight:700}
.muted{color:#667} code{background:#f3f4f8;padding:0 3px;border-radius:3px}
.legend span{display:inline-block;margin-right:14px}
 .legend i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px;
border-radius:2px}
svg.timeline{border:1px solid #dde;background:#fff;margin:6px 0 2px}
.lanebg{fill:#fff;stroke:#eef0f5} .consumer .lanebg{fill:#fbfbfd}
.lanename{font:600 12px system-ui,sans-serif;fill:#1d2330}
 .lanenote{font:11px system-ui,sans-serif;fill:#667}
.tick{font:11px system-ui,sans-serif;fill:#556;text-anchor:middle}
 .grid{stroke:#e6e8ef;stroke-width:1}
.span{stroke:#99a;stroke-width:.5} .spanlabel{font:11px ui-monospace,monospace;fill:#223}
.lockout{fill:#e5484d;fill-opacity:.22}
 .expected{fill:#f5c400;fill-opacity:.15;pointer-events:none;stroke:#d9a800;stroke-dasharray:4 3}
.mark.refresh{fill:#1f9d55} .mark.write{fill:#2f6fde} .mark.reuse{fill:#d92d20;stroke:#fff}
.mark.rejected{fill:#ef8a17} .mark.error{fill:#8a8f98} .mark.failure{fill:#b3261e}
.mark.writefail{fill:#ef8a17} .mark.event{fill:#6e40c9}
 .mark.oracle{fill:#111;stroke:#ffd400;stroke-width:2}
)css";

constexpr const char* kLegend =
    "<p class=\"legend\"><span><i style=\"background:#1f9d55\"></i>refresh granted</span>"
    "<span><i style=\"background:#d92d20\"></i>reuse counted</span>"
    "<span><i style=\"background:#ef8a17\"></i>refused / write failed</span>"
    "<span><i style=\"background:#8a8f98\"></i>5xx, 429, wrong endpoint</span>"
    "<span><i style=\"background:#b3261e\"></i>first failed demand</span>"
    "<span><i style=\"background:#e5484d;opacity:.4\"></i>lockout window</span>"
    "<span><i style=\"background:#2f6fde\"></i>store write</span>"
    "<span><i style=\"background:#6e40c9\"></i>scripted event</span>"
    "<span><i style=\"background:#111;outline:2px solid #ffd400\"></i>oracle fired</span>"
    "<span><i style=\"background:#f5c400;opacity:.4\"></i>expected window</span></p>";

// Counts the lanes once the page is rendered, into an attribute of <body> that no reader sees:
// the browser test reads it back from the DOM to prove the page rendered and ran.
constexpr const char* kScript =
    "<script>document.addEventListener('DOMContentLoaded',function(){"
    "var n=document.querySelectorAll('g.lane').length;"
    "document.body.setAttribute('data-lanes-rendered',String(n));});</script>";

std::string Page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
         XmlEscape(title) + "</title><style>" + kStyle + "</style>" + kScript + "</head><body>" +
         body + "</body></html>\n";
}

std::string VerdictCell(const PolicyRun& r) {
  return r.verdict.ok ? "<td class=\"pass\">PASS</td>"
                      : "<td class=\"fail\" title=\"" + XmlEscape(r.verdict.why) + "\">FAIL</td>";
}

}  // namespace

std::string ScenarioPageName(const std::string& scenario) {
  std::string out;
  for (char c : scenario) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    out += keep ? c : (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : '-';
  }
  return (out.empty() ? "scenario" : out) + ".html";
}

std::string IndexHtml(const std::vector<PolicyRun>& runs) {
  size_t failed = 0;
  for (const PolicyRun& r : runs) failed += r.verdict.ok ? 0 : 1;
  std::string body = "<h1>credsim scenario library</h1><p class=\"muted\">" +
                     std::to_string(runs.size()) + " runs, " + std::to_string(failed) +
                     " failed. A legacy policy must fail as its report describes; the reference "
                     "must hold everywhere.</p>";
  body +=
      "<table><tr><th>scenario</th><th>source</th><th>policy</th><th>expected</th>"
      "<th>observed</th><th>verdict</th></tr>";
  for (const PolicyRun& r : runs) {
    const std::string link = ScenarioPageName(r.scenario) + "#" + XmlEscape(r.expect.policy);
    body += "<tr><td><a href=\"" + link + "\">" + XmlEscape(r.scenario) + "</a></td><td>" +
            XmlEscape(r.source) + "</td><td><code>" + XmlEscape(r.expect.policy) +
            "</code></td><td>" + XmlEscape(r.verdict.expected) + "</td><td>" +
            XmlEscape(r.verdict.observed) + "</td>" + VerdictCell(r) + "</tr>";
  }
  return Page("credsim scenarios", body + "</table>");
}

std::string ScenarioHtml(const std::vector<const PolicyRun*>& runs) {
  if (runs.empty()) return Page("credsim", "");
  const PolicyRun& first = *runs.front();
  std::string body = "<p><a href=\"index.html\">&larr; all scenarios</a></p><h1>" +
                     XmlEscape(first.scenario) + "</h1><p>" + XmlEscape(first.summary) +
                     "</p><p class=\"muted\">source: " + XmlEscape(first.source) + " &middot; " +
                     XmlEscape(first.file) + "</p>" + kLegend;
  for (const PolicyRun* r : runs) {
    body +=
        "<h2 id=\"" + XmlEscape(r->expect.policy) + "\">" + XmlEscape(r->expect.policy) +
        " &mdash; " +
        (r->verdict.ok ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>") +
        "</h2><p>expected: " + XmlEscape(r->verdict.expected) +
        " &middot; observed: " + XmlEscape(r->verdict.observed) + " &middot; seed " +
        std::to_string(r->seed) + "</p>";
    if (!r->verdict.ok) body += "<p class=\"fail\">" + XmlEscape(r->verdict.why) + "</p>";
    if (r->timeline) body += TimelineSvg(*r);
    for (const Violation& v : r->result.violations) {
      body +=
          "<div class=\"muted\">" +
          XmlEscape(v.oracle + " " + v.consumer + " @" + ShortDuration(v.t_ms) + ": " + v.message) +
          "</div>";
    }
  }
  return Page(first.scenario, body);
}

bool WriteHtmlReport(const std::string& dir, const std::vector<PolicyRun>& runs,
                     std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return *error = dir + ": " + ec.message(), false;
  std::vector<std::string> order;
  std::map<std::string, std::vector<const PolicyRun*>> by_scenario;
  for (const PolicyRun& r : runs) {
    if (!by_scenario.count(r.scenario)) order.push_back(r.scenario);
    by_scenario[r.scenario].push_back(&r);
  }
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) *error = dir + "/" + name + ": cannot write";
    return static_cast<bool>(out);
  };
  if (!write("index.html", IndexHtml(runs))) return false;
  for (const std::string& name : order) {
    if (!write(ScenarioPageName(name), ScenarioHtml(by_scenario[name]))) return false;
  }
  return true;
}

}  // namespace credsim::sim
