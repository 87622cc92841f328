#include "modules/units/gazetteer.hpp"

#include <algorithm>
#include <set>

#include "platform/util/time.hpp"

namespace lt::units {

std::string Gazetteer::level_of(std::string_view code) {
  switch (code.size()) {
    case 2: return "province";
    case 3: return "district";
    case 5: return "commune";
    default: return "";
  }
}

void Gazetteer::finish() {
  std::stable_sort(versions_.begin(), versions_.end(), [](const UnitVersion& a, const UnitVersion& b) {
    return std::tie(a.level, a.code, a.valid_from) < std::tie(b.level, b.code, b.valid_from);
  });
  by_key_.clear();
  children_.clear();
  from_.clear();
  to_.clear();
  event_by_id_.clear();
  for (size_t i = 0; i < versions_.size(); ++i) {
    const auto& v = versions_[i];
    by_key_[key(v.level, v.code)].push_back(i);
    if (!v.parent_code.empty()) children_[key(level_of(v.parent_code), v.parent_code)].push_back(i);
  }
  for (size_t i = 0; i < changes_.size(); ++i) {
    const auto& c = changes_[i];
    if (!c.old_code.empty()) from_[key(c.old_level, c.old_code)].push_back(i);
    if (!c.new_code.empty()) to_[key(c.new_level, c.new_code)].push_back(i);
  }
  for (size_t i = 0; i < events_.size(); ++i) event_by_id_[events_[i].id] = i;
  // Where each version went when it ended: the changes of the event effective on its valid_to lead
  // to the versions valid from that day (successors() walks these steps without looking anything up).
  next_.assign(versions_.size(), {});
  for (size_t i = 0; i < versions_.size(); ++i) {
    const auto& v = versions_[i];
    if (v.valid_to.empty()) continue;
    for (const Change* c : became(v.level, v.code)) {
      const Event* e = event(c->event_id);
      if (!e || e->effective_date != v.valid_to || c->new_code.empty()) continue;
      if (const UnitVersion* to = find(c->new_level, c->new_code, e->effective_date))
        next_[i].push_back({static_cast<size_t>(to - versions_.data()), static_cast<size_t>(c - changes_.data())});
    }
  }
}

const UnitVersion* Gazetteer::find(std::string_view level, std::string_view code, std::string_view as_of) const {
  auto it = by_key_.find(key(level, code));
  if (it == by_key_.end()) return nullptr;
  for (size_t i : it->second)
    if (versions_[i].valid_on(as_of)) return &versions_[i];
  return nullptr;
}

const UnitVersion* Gazetteer::find(std::string_view code, std::string_view as_of) const {
  return find(level_of(code), code, as_of);
}

std::vector<const UnitVersion*> Gazetteer::valid_on(std::string_view as_of, std::string_view level) const {
  std::vector<const UnitVersion*> out;
  for (const auto& v : versions_)
    if ((level.empty() || v.level == level) && v.valid_on(as_of)) out.push_back(&v);
  return out;
}

std::vector<const UnitVersion*> Gazetteer::children(std::string_view level, std::string_view code,
                                                    std::string_view as_of) const {
  std::vector<const UnitVersion*> out;
  auto it = children_.find(key(level, code));
  if (it == children_.end()) return out;
  for (size_t i : it->second)
    if (versions_[i].valid_on(as_of)) out.push_back(&versions_[i]);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->code < b->code; });
  return out;
}

std::vector<const UnitVersion*> Gazetteer::versions(std::string_view level, std::string_view code) const {
  std::vector<const UnitVersion*> out;
  auto it = by_key_.find(key(level, code));
  if (it != by_key_.end())
    for (size_t i : it->second) out.push_back(&versions_[i]);
  return out;
}

std::vector<const Change*> Gazetteer::formed_from(std::string_view level, std::string_view code) const {
  std::vector<const Change*> out;
  if (auto it = to_.find(key(level, code)); it != to_.end())
    for (size_t i : it->second) out.push_back(&changes_[i]);
  return out;
}

std::vector<const Change*> Gazetteer::became(std::string_view level, std::string_view code) const {
  std::vector<const Change*> out;
  if (auto it = from_.find(key(level, code)); it != from_.end())
    for (size_t i : it->second) out.push_back(&changes_[i]);
  return out;
}

const Event* Gazetteer::event(int64_t id) const {
  auto it = event_by_id_.find(id);
  return it == event_by_id_.end() ? nullptr : &events_[it->second];
}

std::vector<Gazetteer::Target> Gazetteer::successors(const UnitVersion* from, std::string_view as_of) const {
  std::vector<Target> out;
  if (from->valid_on(as_of)) {
    out.push_back({from, ""});
    return out;
  }
  struct At {
    size_t index;
    const std::string* note;
  };
  static const std::string kNoNote;
  std::vector<At> frontier{{static_cast<size_t>(from - versions_.data()), &kNoNote}}, next;
  std::vector<size_t> seen;
  for (int hop = 0; hop < 8 && !frontier.empty(); ++hop) {
    next.clear();
    for (const auto& t : frontier) {
      if (std::find(seen.begin(), seen.end(), t.index) != seen.end()) continue;
      seen.push_back(t.index);
      const UnitVersion& u = versions_[t.index];
      if (u.valid_on(as_of)) {
        out.push_back({&u, *t.note});
        continue;
      }
      if (u.valid_to.empty() || u.valid_to > as_of) continue;  // not yet born on as_of
      for (const auto& step : next_[t.index]) {
        const std::string& note = changes_[step.change].note;
        next.push_back({step.index, note.empty() ? t.note : &note});
      }
    }
    frontier.swap(next);
  }
  std::sort(out.begin(), out.end(), [](const Target& a, const Target& b) { return a.unit->code < b.unit->code; });
  out.erase(std::unique(out.begin(), out.end(), [](const Target& a, const Target& b) { return a.unit == b.unit; }),
            out.end());
  return out;
}

std::string today_vn() {
  return timeutil::iso_utc(timeutil::now_ms() + 7 * 3600 * 1000).substr(0, 10);
}

}  // namespace lt::units
