#pragma once
// The map over time, in memory: every version of every unit (province, district, commune), the
// reorganisation events and their changes. Built once from the database, then read-only: the units
// service swaps in a new one after an import, so readers never lock.
//
// Dates are "YYYY-MM-DD" (civil dates in Vietnam). A version is valid on D when
// valid_from <= D < valid_to (valid_to empty: still valid).
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lt::units {

struct UnitVersion {
  std::string code;         // "01" province, "001" district, "00004" commune (zero-padded strings)
  std::string level;        // "province" | "district" | "commune"
  std::string name;         // "Phường Ba Đình"
  std::string type;         // "Tỉnh", "Thành phố trực thuộc trung ương", "Quận", "Huyện", "Thị xã", "Thành phố", "Xã", "Phường", "Thị trấn", "Đặc khu"
  std::string parent_code;  // province for districts and new communes, district for old communes
  std::string valid_from;   // "0001-01-01" for units that existed before the recorded history
  std::string valid_to;     // "" while valid
  bool valid_on(std::string_view d) const { return valid_from <= d && (valid_to.empty() || d < valid_to); }
};

struct Event {
  int64_t id = 0;
  std::string code;            // "2025-reform", "237/NQ-UBTVQH16"
  std::string title;
  std::string resolution;      // the deciding resolution(s)
  std::string effective_date;  // "YYYY-MM-DD"
};

// One line of an event: an old unit that ended or changed, and the unit it went into (either may be
// empty: a unit established from nothing, or abolished with its territory spread elsewhere).
struct Change {
  int64_t event_id = 0;
  std::string change;  // merged | split | renamed | retyped | unchanged | established | abolished
  std::string old_level, old_code, new_level, new_code;
  std::string note;    // e.g. the statistics office's "Nhập một phần"
};

class Gazetteer {
 public:
  void add(UnitVersion v) { versions_.push_back(std::move(v)); }
  void add_event(Event e) { events_.push_back(std::move(e)); }
  void add_change(Change c) { changes_.push_back(std::move(c)); }
  // Builds the indexes; call once after adding everything.
  void finish();

  // The version of a unit valid on `as_of`, or null.
  const UnitVersion* find(std::string_view level, std::string_view code, std::string_view as_of) const;
  // Level from the code's length (2 province, 3 district, 5 commune).
  const UnitVersion* find(std::string_view code, std::string_view as_of) const;
  std::vector<const UnitVersion*> valid_on(std::string_view as_of, std::string_view level = {}) const;
  std::vector<const UnitVersion*> children(std::string_view level, std::string_view code, std::string_view as_of) const;
  // Every version of a unit, oldest first.
  std::vector<const UnitVersion*> versions(std::string_view level, std::string_view code) const;
  // Changes in which the unit is the result (what it was formed from) or the origin (what it became).
  std::vector<const Change*> formed_from(std::string_view level, std::string_view code) const;
  std::vector<const Change*> became(std::string_view level, std::string_view code) const;
  const Event* event(int64_t id) const;
  const std::vector<Event>& events() const { return events_; }
  const std::vector<UnitVersion>& all() const { return versions_; }

  // Where a unit version is on `as_of`: the versions valid then that it went into, following each
  // event that ended a version (the event effective on its valid_to). One entry when it went whole
  // into one unit, several when it was split, itself when still valid, none when unknown.
  struct Target {
    const UnitVersion* unit;
    std::string note;  // the last change's note along the way (e.g. "Nhập một phần")
  };
  std::vector<Target> successors(const UnitVersion* from, std::string_view as_of) const;

  static std::string level_of(std::string_view code);

 private:
  static std::string key(std::string_view level, std::string_view code) {
    std::string k(level);
    k += '/';
    k += code;
    return k;
  }
  std::vector<UnitVersion> versions_;
  std::vector<Event> events_;
  std::vector<Change> changes_;
  std::unordered_map<std::string, std::vector<size_t>> by_key_;          // level/code → versions, oldest first
  std::unordered_map<std::string, std::vector<size_t>> children_;        // parent level/code → versions
  std::unordered_map<std::string, std::vector<size_t>> from_, to_;       // changes by old / new level/code
  std::unordered_map<int64_t, size_t> event_by_id_;
  struct Step {
    size_t index;   // the version it went into
    size_t change;  // by this change
  };
  std::vector<std::vector<Step>> next_;  // by version index: where it went when it ended
};

// Today's date in Asia/Ho_Chi_Minh (UTC+7), "YYYY-MM-DD".
std::string today_vn();

}  // namespace lt::units
