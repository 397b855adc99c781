#include "live/judge.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/assert.h"

namespace credsim::live {
namespace {

using sim::Lane;
using sim::Mark;
using sim::MarkKind;
using sim::Outage;
using sim::Violation;

// "engine-0-3", "engine-settle-0-401" → "engine" (consumer names hold no '-').
std::string ConsumerOfTag(const std::string& tag) {
  const size_t dash = tag.find('-');
  return dash == std::string::npos ? tag : tag.substr(0, dash);
}

constexpr const char* kSetupTag = "credsim-live-setup";  // LiveServer::Refresh

bool IsReuse(const ServerLogEntry& e) {
  return e.grant == "refresh_token" &&
         (e.outcome == "reused_retired_token" || e.outcome == "race_loser");
}

bool IsGrant(const ServerLogEntry& e) {
  return e.grant == "refresh_token" && (e.outcome == "issued" || e.outcome == "grace_replay");
}

class Judge {
 public:
  Judge(const LiveConfig& config, const LiveHistory& history) : config_(config), h_(history) {
    for (const LiveConsumer& c : config.consumers) judged_[c.name] = c.judged;
    for (const Invocation& inv : history.invocations) {
      by_tag_[inv.tag] = &inv;
      by_tag_[inv.tag + "-401"] = &inv;
    }
  }

  LiveVerdict Run() {
    LiveVerdict v;
    v.timeline.duration_ms = std::max<int64_t>(h_.duration_ms, 1);
    for (const LiveConsumer& c : config_.consumers) {
      Lane lane;
      lane.id = "consumer:" + c.name;
      lane.name = c.name;
      lane.note = c.judged ? "judged" : "tool";
      lanes_[c.name] = v.timeline.lanes.size();
      v.timeline.lanes.push_back(std::move(lane));
    }
    Lane nemesis;
    nemesis.id = "nemesis";
    nemesis.name = "nemesis";
    for (const NemesisEvent& e : h_.nemesis) {
      nemesis.marks.push_back(
          {e.t_ms, MarkKind::kEvent, std::string(NemesisName(e.kind)) + ": " + e.detail});
    }
    v.timeline.lanes.push_back(std::move(nemesis));
    timeline_ = &v.timeline;
    Reuses(v);
    Calls(v);
    Stores(v);
    std::stable_sort(v.result.violations.begin(), v.result.violations.end(),
                     [](const Violation& a, const Violation& b) { return a.t_ms < b.t_ms; });
    for (const Violation& x : v.result.violations) {
      AddMark(x.consumer, {x.t_ms, MarkKind::kOracle, x.oracle + ": " + x.message});
    }
    return v;
  }

 private:
  bool Judged(const std::string& consumer) const {
    auto it = judged_.find(consumer);
    return it != judged_.end() && it->second;
  }
  bool KilledByNemesis(const std::string& tag) const {
    auto it = by_tag_.find(tag);
    return it != by_tag_.end() && it->second->killed_by_nemesis;
  }
  int64_t TimeOfTag(const std::string& tag) const {
    auto it = by_tag_.find(tag);
    return it == by_tag_.end() ? h_.duration_ms : it->second->end_ms;
  }
  void AddMark(const std::string& consumer, Mark mark) {
    auto it = lanes_.find(consumer);
    if (it == lanes_.end()) return;
    Lane& lane = timeline_->lanes[it->second];
    if (lane.marks.size() >= sim::Timeline::kMaxMarks) {
      ++lane.marks_dropped;
      return;
    }
    lane.marks.push_back(std::move(mark));
  }

  void Reuses(LiveVerdict& v) {
    const std::vector<ServerLogEntry>& log = h_.server_log;
    for (size_t i = 0; i < log.size(); ++i) {
      const ServerLogEntry& e = log[i];
      const std::string consumer = e.tag.empty() ? "untagged" : ConsumerOfTag(e.tag);
      if (IsGrant(e)) {
        ++v.numbers.grants;
        AddMark(consumer, {TimeOfTag(e.tag), MarkKind::kRefresh, "granted " + e.label});
      }
      if (!IsReuse(e)) continue;
      AddMark(consumer, {TimeOfTag(e.tag), MarkKind::kReuse, e.outcome + " " + e.label});
      if (!Judged(consumer)) {
        ++v.numbers.tool_reuses;
        continue;
      }
      // Its own answer for this generation was lost: presenting it once more is the only way to
      // learn whether the server saw the request (docs/ENGINE.md, lost responses).
      const bool own_answer_lost = std::any_of(log.begin(), log.begin() + i, [&](auto& p) {
        return p.tag == e.tag && p.family_id == e.family_id &&
               p.presented_generation == e.presented_generation && p.status == 0;
      });
      if (own_answer_lost) {
        ++v.numbers.lost_response_retries;
        continue;
      }
      const auto winner = std::find_if(log.begin(), log.end(), [&](auto& p) {
        return IsGrant(p) && p.family_id == e.family_id &&
               p.presented_generation == e.presented_generation;
      });
      // The rotation a --scenario layout made to retire its "previous" pair is the world's past:
      // a consumer that presents that pair read a spent token with the live one in reach.
      const bool past = winner != log.end() && winner->tag == kSetupTag;
      if (winner != log.end() && !past &&
          !Judged(winner->tag.empty() ? "untagged" : ConsumerOfTag(winner->tag))) {
        ++v.numbers.refused_after_tool_rotation;
        continue;
      }
      // The winner was killed by the nemesis after the server rotated and before it saved the
      // pair: the successor died with it, and presenting the only token left is no one's choice.
      if (winner != log.end() && KilledByNemesis(winner->tag)) {
        ++v.numbers.refused_after_killed_rotation;
        continue;
      }
      ++v.numbers.judged_reuses;
      v.result.violations.push_back(
          {"no_self_inflicted_reuse",
           consumer,
           TimeOfTag(e.tag),
           e.tag + " presented " + e.label + " (" + e.outcome + "); the rotation it lost to was " +
               (winner == log.end() ? std::string("not in the log")
                : past              ? std::string("the scenario's, before the run")
                       : "made by " + (winner->tag.empty() ? "an untagged client" : winner->tag)),
           {}});
    }
  }

  std::string CauseOf(const Invocation& inv) const {
    // A rotation lost with a killed process leaves only spent tokens: an injected fault.
    for (const ServerLogEntry& e : h_.server_log) {
      if (IsGrant(e) && KilledByNemesis(e.tag) && TimeOfTag(e.tag) <= inv.end_ms) {
        return "injected_faults";
      }
    }
    for (const NemesisEvent& n : h_.nemesis) {
      if (n.kind == NemesisKind::kNaiveWriter && n.t_ms <= inv.end_ms && n.end_ms >= inv.start_ms) {
        return "injected_faults";  // it may have read the torn file
      }
    }
    for (const ServerLogEntry& e : h_.server_log) {
      if ((e.tag == inv.tag || e.tag == inv.tag + "-401") && !e.fault.empty()) {
        return "injected_faults";
      }
    }
    return inv.live_credential_within_reach ? "lockout" : "session_dead";
  }

  static std::string Describe(const Invocation& inv) {
    std::string what = inv.timed_out        ? "timed out"
                       : inv.signal != 0    ? "killed by signal " + std::to_string(inv.signal)
                       : inv.exit_code != 0 ? "exit " + std::to_string(inv.exit_code)
                       : inv.token_label == "none" ? "printed no token"
                                                   : "printed " + inv.token_label + " (" +
                                                         inv.token_state + "), refused by the API";
    if (inv.via_401) what += " after its 401 path";
    if (!inv.stderr_excerpt.empty()) what += ": " + inv.stderr_excerpt;
    return what;
  }

  void Calls(LiveVerdict& v) {
    std::map<std::string, sim::ConsumerAvailability> availability;
    std::map<std::string, Outage*> open;  // the consumer's outage still going on
    std::vector<const Invocation*> calls;
    for (const Invocation& inv : h_.invocations) calls.push_back(&inv);
    std::stable_sort(calls.begin(), calls.end(),
                     [](auto* a, auto* b) { return a->end_ms < b->end_ms; });
    v.result.outages.reserve(calls.size());
    for (const Invocation* inv : calls) {
      if (inv->killed_by_nemesis) {
        AddMark(inv->consumer, {inv->end_ms, MarkKind::kEvent, inv->tag + " killed"});
        continue;
      }
      sim::ConsumerAvailability& a = availability[inv->consumer];
      a.consumer = inv->consumer;
      ++a.demands;
      for (const std::string& label : inv->leaked_labels) {
        if (Judged(inv->consumer)) {
          v.result.violations.push_back({"no_secret_leak",
                                         inv->consumer,
                                         inv->end_ms,
                                         inv->tag + " printed the text of " + label,
                                         {}});
        }
      }
      if (inv->served) {
        ++a.served;
        if (open.count(inv->consumer) != 0) {
          open[inv->consumer]->to_ms = inv->end_ms;
          open.erase(inv->consumer);
        }
        continue;
      }
      const std::string cause = CauseOf(*inv);
      AddMark(inv->consumer, {inv->end_ms, MarkKind::kFailure, inv->tag + ": " + Describe(*inv)});
      if (!Judged(inv->consumer)) continue;
      if (cause == "lockout") {
        v.result.violations.push_back(
            {"no_lockout",
             inv->consumer,
             inv->end_ms,
             inv->tag + (inv->settle ? " (the recovery round after the run)" : "") + " " +
                 Describe(*inv) + "; a store it reads held the live refresh token",
             {}});
      }
      if (open.count(inv->consumer) != 0) {
        ++open[inv->consumer]->demands_failed;
        continue;
      }
      Outage o;
      o.consumer = inv->consumer;
      o.judged = true;
      o.from_ms = inv->start_ms;
      o.to_ms = h_.duration_ms;
      o.ongoing = true;
      o.demands_failed = 1;
      o.cause = cause;
      o.status = Describe(*inv);
      v.result.outages.push_back(std::move(o));
      open[inv->consumer] = &v.result.outages.back();
    }
    for (auto& [name, outage] : open) outage->ongoing = true;
    for (Outage& o : v.result.outages) {
      if (o.to_ms != h_.duration_ms) o.ongoing = false;
      auto it = lanes_.find(o.consumer);
      if (it != lanes_.end()) {
        timeline_->lanes[it->second].lockout.push_back({o.from_ms, o.to_ms, o.cause});
      }
    }
    for (auto& [name, a] : availability) v.result.availability.push_back(a);
  }

  // Damage is blamed on a judged consumer only when no tool ran meanwhile: a tool's own rewrite
  // (Codex drops unknown top-level members) is the world's, counted and marked, not judged.
  void Stores(LiveVerdict& v) {
    for (const StoreProblem& p : h_.store_problems) {
      std::string who;
      std::string tool;
      for (const std::string& s : p.suspects) {
        who += (who.empty() ? "" : ", ") + s;
        if (!Judged(s) && tool.empty()) tool = s;
      }
      const std::string what = p.store + " " + p.problem + " (seen when " + p.after +
                               " ended; running since the last look: " + who + ")";
      if (!tool.empty()) {
        ++v.numbers.tool_store_damage;
        AddMark(tool, {p.t_ms, MarkKind::kWriteFail, what});
        continue;
      }
      const std::string blamed = p.suspects.size() == 1 ? p.suspects.front() : who;
      v.result.violations.push_back({"no_collateral_damage", blamed, p.t_ms, what, {}});
    }
  }

  const LiveConfig& config_;
  const LiveHistory& h_;
  std::map<std::string, bool> judged_;
  std::map<std::string, const Invocation*> by_tag_;
  std::map<std::string, size_t> lanes_;
  sim::Timeline* timeline_ = nullptr;
};

}  // namespace

LiveVerdict JudgeLive(const LiveConfig& config, const LiveHistory& history) {
  return Judge(config, history).Run();
}

}  // namespace credsim::live
