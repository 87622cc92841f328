// The synthetic population (src/modules/registry/generate.*, docs/REGISTRY.md, "Synthetic population") on the real
// map: determinism, row counts, every clean row passing the registry's field rules, the family-name
// shares, the dirty rows, and the references between the four files.
// Pure: the map is built in memory from data/admin-units the way the units migrations load it; no
// database (it runs in storage_tests, once per backend, at little cost).
#include "modules/registry/generate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "modules/registry/rules.hpp"
#include "modules/units/address.hpp"
#include "platform/util/csv.hpp"
#include "platform/util/text.hpp"

using namespace lt;

namespace {

constexpr const char* kToday = "2025-11-20";

using Table = std::vector<std::map<std::string, std::string>>;

Table read_table(const std::string& name) {
  std::ifstream in(std::string(LT_SOURCE_DIR "/data/admin-units/") + name, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open data/admin-units/" + name);
  csv::Reader r(in);
  std::vector<std::string> header, row;
  if (!r.next(header)) throw std::runtime_error(name + ": empty");
  Table out;
  while (r.next(row)) {
    if (r.error() || row.size() != header.size()) throw std::runtime_error(name + ": bad row");
    std::map<std::string, std::string> m;
    for (size_t i = 0; i < header.size(); ++i) m[header[i]] = text::nfc(row[i]);
    out.push_back(std::move(m));
  }
  return out;
}

// The map as migrations units/2 and units/4 load it (src/modules/units/units.cpp, history.cpp): the
// 2025 map from 1 July 2025, the old map until then, and the reform as event 1 with its changes.
std::shared_ptr<const units::Gazetteer> real_map() {
  static const std::shared_ptr<const units::Gazetteer> map = [] {
    auto g = std::make_shared<units::Gazetteer>();
    const std::string reform = "2025-07-01", before = "0001-01-01";
    for (const auto& p : read_table("provinces_2025.csv"))
      g->add({p.at("province_code"), "province", p.at("province_name"), p.at("unit_type"), "", reform, ""});
    for (const auto& c : read_table("communes_2025.csv"))
      g->add({c.at("commune_code"), "commune", c.at("commune_name"), c.at("unit_type"), c.at("province_code"), reform, ""});
    auto type_of = [](const std::string& name, const std::string& level) -> std::string {
      for (std::string t : {"Thành phố", "Thị xã", "Thị trấn", "Tỉnh", "Quận", "Huyện", "Xã", "Phường", "Đặc khu"})
        if (name.rfind(t + " ", 0) == 0) return (level == "province" && t == "Thành phố") ? "Thành phố trực thuộc trung ương" : t;
      return "";
    };
    auto old_units = read_table("old_units_pre2025.csv");
    std::set<std::string> seen, districts;
    auto add = [&](const std::string& level, const std::string& code, const std::string& name, const std::string& parent) {
      if (code.empty() || !seen.insert(level + code).second) return;
      g->add({code, level, name, type_of(name, level), parent, before, reform});
    };
    for (const auto& u : old_units) {
      add("province", u.at("province_code"), u.at("province_name"), "");
      add("district", u.at("district_code"), u.at("district_name"), u.at("province_code"));
      add("commune", u.at("commune_code"), u.at("commune_name"), u.at("district_code"));
      districts.insert(u.at("district_code"));
    }
    g->add_event({1, "2025-reform", "Sắp xếp đơn vị hành chính", "Nghị quyết 202/2025/QH15", reform});
    auto provinces = read_table("old_to_new_provinces.csv");
    std::map<std::string, int> olds_per_new;
    for (const auto& p : provinces) olds_per_new[p.at("new_province_code")]++;
    for (const auto& p : provinces)
      g->add_change({1, olds_per_new[p.at("new_province_code")] == 1 ? "unchanged" : "merged", "province", p.at("old_province_code"),
                     "province", p.at("new_province_code"), ""});
    std::set<std::string> district_rows;
    for (const auto& r : read_table("old_to_new_communes.csv")) {
      std::string level = "commune", code = r.at("old_commune_code");
      if (code.empty()) {
        if (r.at("old_commune_name_in_nso").empty()) {
          level = "district";
          code = r.at("old_district_code");
          district_rows.insert(code);
        } else {
          level = "area";
        }
      }
      std::string f = text::fold(r.at("merge_type"));
      std::string change = f.find("mot phan") != std::string::npos ? "split"
                           : f == "giu nguyen"                     ? "unchanged"
                           : f == "doi ten"                        ? "renamed"
                           : f == "doi loai hinh"                  ? "retyped"
                                                                   : "merged";
      g->add_change({1, change, level, code, "commune", r.at("new_commune_code"), r.at("merge_type")});
    }
    for (const auto& d : districts)
      if (!district_rows.contains(d)) g->add_change({1, "abolished", "district", d, "", "", ""});
    g->finish();
    return std::shared_ptr<const units::Gazetteer>(std::move(g));
  }();
  return map;
}

struct Output {
  std::string citizens, households, enterprises, parcels;
  registry::GenerateSummary summary;
};

Output run(size_t n, uint64_t seed, double dirty) {
  registry::GenerateOptions o;
  o.citizens = n;
  o.seed = seed;
  o.dirty_share = dirty;
  o.today = kToday;
  std::ostringstream c, h, e, p;
  Output out;
  out.summary = registry::generate(*real_map(), o, c, h, e, p);
  out.citizens = c.str();
  out.households = h.str();
  out.enterprises = e.str();
  out.parcels = p.str();
  return out;
}

// The default population of these tests, generated once.
const Output& sample() {
  static const Output out = run(20000, 20250701, 0.02);
  return out;
}

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
Csv parse(const std::string& s) {
  std::istringstream in(s);
  csv::Reader r(in);
  Csv out;
  std::vector<std::string> row;
  if (!r.next(out.header)) throw std::runtime_error("empty CSV");
  while (r.next(row)) {
    if (r.error() || row.size() != out.header.size()) throw std::runtime_error("broken CSV row at line " + std::to_string(r.line()));
    out.rows.push_back(row);
  }
  return out;
}

const std::set<std::string, std::less<>>& old_provinces() {
  static const std::set<std::string, std::less<>> codes = [] {
    std::set<std::string, std::less<>> out;
    for (const auto* p : real_map()->valid_on("2025-06-30", "province")) out.insert(p->code);
    return out;
  }();
  return codes;
}

// The field rules the registry applies to a citizen row (registry.cpp, Service::normalise), plus
// the required fields.
std::vector<registry::rules::Violation> check_citizen(const std::vector<std::string>& r) {
  namespace rules = registry::rules;
  std::vector<rules::Violation> v;
  const char* required[] = {"id_number", "full_name", "birth_date", "sex", nullptr, nullptr, "permanent_address"};
  for (size_t i = 0; i < 7; ++i)
    if (required[i] && r[i].empty()) v.push_back({std::string("sufficient.") + required[i], required[i], ""});
  auto birth = rules::parse_partial_date(r[2]);
  if (!r[2].empty()) rules::check_birth_date(r[2], "birth_date", kToday, v);
  if (!r[3].empty()) rules::check_sex(r[3], "sex", v);
  if (!r[0].empty()) rules::check_personal_id(r[0], birth, r[3], old_provinces(), v);
  if (!r[1].empty()) rules::check_person_name(r[1], "full_name", v);
  return v;
}

std::string first_word(const std::string& s) { return s.substr(0, s.find(' ')); }

}  // namespace

TEST(RegistryGenerate, DeterministicForASeed) {
  Output a = run(3000, 7, 0.05), b = run(3000, 7, 0.05), c = run(3000, 8, 0.05);
  EXPECT_EQ(a.citizens, b.citizens);
  EXPECT_EQ(a.households, b.households);
  EXPECT_EQ(a.enterprises, b.enterprises);
  EXPECT_EQ(a.parcels, b.parcels);
  EXPECT_NE(a.citizens, c.citizens);
  EXPECT_NE(a.parcels, c.parcels);
  // A fixed fingerprint of the first rows would pin the output across standard libraries; the
  // first citizen's ID at least has the right shape.
  auto rows = parse(a.citizens).rows;
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0][0].size(), 12u);
}

TEST(RegistryGenerate, HeadersAndRowCounts) {
  const Output& o = sample();
  Csv c = parse(o.citizens), h = parse(o.households), e = parse(o.enterprises), p = parse(o.parcels);
  EXPECT_EQ(c.header, (std::vector<std::string>{"id_number", "full_name", "birth_date", "sex", "ethnicity", "nationality",
                                                 "permanent_address", "current_address", "household_id"}));
  EXPECT_EQ(h.header, (std::vector<std::string>{"household_id", "head_id", "address", "members"}));
  EXPECT_EQ(e.header, (std::vector<std::string>{"enterprise_code", "name", "legal_representative_id", "address", "status",
                                                "registration_date"}));
  EXPECT_EQ(p.header, (std::vector<std::string>{"commune_code", "map_sheet", "parcel_number", "area_m2", "land_use", "owners",
                                                "certificate_number"}));
  EXPECT_EQ(o.summary.citizens, 20000u);
  EXPECT_EQ(c.rows.size(), o.summary.citizens);
  EXPECT_EQ(h.rows.size(), o.summary.households);
  EXPECT_EQ(e.rows.size(), o.summary.enterprises);
  EXPECT_EQ(p.rows.size(), o.summary.parcels);
  EXPECT_EQ(o.summary.enterprises, 800u);  // one per 25 citizens
  // About one parcel per three citizens (plus a few of enterprises).
  EXPECT_GT(o.summary.parcels, 20000u / 3 * 9 / 10);
  EXPECT_LT(o.summary.parcels, 20000u / 3 * 12 / 10);
  // Households of 1–7 members, about 3.5 on average.
  double mean = static_cast<double>(o.summary.citizens) / static_cast<double>(o.summary.households);
  EXPECT_GT(mean, 2.8);
  EXPECT_LT(mean, 4.2);

  Output none = run(0, 1, 0.02);
  EXPECT_EQ(none.summary.citizens, 0u);
  EXPECT_EQ(none.summary.enterprises, 0u);
  EXPECT_EQ(parse(none.citizens).rows.size(), 0u);
}

TEST(RegistryGenerate, CleanRowsPassTheRulesAndDirtyRowsAreCounted) {
  const Output& o = sample();
  Csv c = parse(o.citizens);
  std::unordered_set<std::string> ids, people;
  size_t dirty = 0;
  std::map<std::string, size_t> by_rule;
  for (const auto& r : c.rows) {
    auto v = check_citizen(r);
    std::string person = text::fold(r[1]) + "|" + r[2] + "|" + r[6];
    bool dup_id = !r[0].empty() && ids.contains(r[0]);
    bool dup_person = !r[1].empty() && !r[2].empty() && !r[6].empty() && people.contains(person);
    if (!v.empty() || dup_id || dup_person) {
      ++dirty;
      for (const auto& x : v) ++by_rule[x.rule];
      if (v.empty()) ++by_rule[dup_id ? "clean.duplicate_key" : "clean.probable_duplicate"];
    }
    ids.insert(r[0]);
    if (v.empty()) people.insert(person);
    // Every cell is valid UTF-8 in NFC.
    for (const auto& f : r) {
      ASSERT_TRUE(text::valid_utf8(f)) << f;
      ASSERT_EQ(text::nfc(f), f) << f;
    }
    EXPECT_EQ(r[5], "VN");
  }
  // Exactly the rows the generator made dirty fail a rule or repeat a key or a person.
  EXPECT_EQ(dirty, o.summary.dirty);
  EXPECT_GT(o.summary.dirty, 20000 * 0.02 * 0.75);
  EXPECT_LT(o.summary.dirty, 20000 * 0.02 * 1.25);
  for (const char* rule : {"correct.id_century_sex", "correct.id_year", "correct.name_chars", "correct.date_invalid",
                           "correct.date_future", "clean.duplicate_key", "clean.probable_duplicate"})
    EXPECT_GT(by_rule[rule], 10u) << rule;
  size_t missing = 0;
  for (const auto& [rule, n] : by_rule)
    if (rule.rfind("sufficient.", 0) == 0) missing += n;
  EXPECT_GT(missing, 10u);

  // No dirt asked, none made.
  Output clean = run(5000, 3, 0);
  EXPECT_EQ(clean.summary.dirty, 0u);
  EXPECT_EQ(clean.summary.dirty_enterprises, 0u);
  std::unordered_set<std::string> seen;
  for (const auto& r : parse(clean.citizens).rows) {
    auto v = check_citizen(r);
    EXPECT_TRUE(v.empty()) << r[0] << " " << r[1] << " " << r[2] << " " << r[3] << ": " << v.front().rule;
    EXPECT_TRUE(seen.insert(r[0]).second) << "duplicate ID " << r[0];
  }
}

TEST(RegistryGenerate, FamilyNameShares) {
  Csv c = parse(sample().citizens);
  std::map<std::string, double> count;
  double total = 0;
  for (const auto& r : c.rows) {
    if (!check_citizen(r).empty()) continue;
    ++count[first_word(r[1])];
    ++total;
  }
  ASSERT_GT(total, 19000);
  auto share = [&](std::initializer_list<const char*> names) {
    double n = 0;
    for (const char* x : names) n += count[x];
    return 100.0 * n / total;
  };
  const std::vector<std::pair<std::vector<const char*>, double>> targets = {
      {{"Nguyễn"}, 38}, {{"Trần"}, 11}, {{"Lê"}, 9.5}, {{"Phạm"}, 7}, {{"Hoàng", "Huỳnh"}, 5}, {{"Phan"}, 4.5}, {{"Vũ", "Võ"}, 4},
      {{"Đặng"}, 2},    {{"Bùi"}, 2},   {{"Đỗ"}, 1.4}, {{"Hồ"}, 1.3}, {{"Ngô"}, 1.3},          {{"Dương"}, 1},   {{"Lý"}, 0.5},
  };
  double named = 0;
  for (const auto& [names, target] : targets) {
    double n = 0;
    for (const char* x : names) n += count[x];
    double got = 100.0 * n / total;
    named += got;
    EXPECT_NEAR(got, target, 2.0) << names.front();
  }
  // The rest is spread over other family names.
  EXPECT_NEAR(100.0 - named, 11.5, 3.0);
  EXPECT_GT(count.size(), 60u);
  (void)share;
}

TEST(RegistryGenerate, PeopleLookReal) {
  Csv c = parse(sample().citizens);
  size_t n = 0, partial = 0, under15 = 0, over65 = 0, kinh = 0, men = 0, with_current = 0;
  std::set<std::string> ethnicities;
  for (const auto& r : c.rows) {
    if (!check_citizen(r).empty()) continue;
    ++n;
    auto d = registry::rules::parse_partial_date(r[2]);
    ASSERT_TRUE(d);
    EXPECT_GE(d->year, 1930);
    EXPECT_LE(d->year, 2024);
    partial += d->day == 0;
    int age = 2025 - d->year;
    under15 += age < 15;
    over65 += age >= 65;
    kinh += r[4] == "Kinh";
    ethnicities.insert(r[4]);
    men += r[3] == "M";
    with_current += !r[7].empty();
    // Middle names by sex: no "Thị" among men, no "Văn" among women (generic names).
    if (r[3] == "M") EXPECT_EQ(r[1].find(" Thị "), std::string::npos) << r[1];
    else EXPECT_EQ(r[1].find(" Văn "), std::string::npos) << r[1];
  }
  auto pct = [&](size_t x) { return 100.0 * static_cast<double>(x) / static_cast<double>(n); };
  EXPECT_NEAR(pct(partial), 3.0, 1.5);
  EXPECT_NEAR(pct(under15), 23.0, 6.0);  // Viet Nam 2024: about 23 % under 15
  EXPECT_NEAR(pct(over65), 9.0, 4.0);    // and about 9 % aged 65 or more
  EXPECT_NEAR(pct(kinh), 86.0, 6.0);     // about 85 % Kinh
  EXPECT_NEAR(pct(men), 50.0, 3.0);
  EXPECT_GT(ethnicities.size(), 15u);
  EXPECT_GT(pct(with_current), 5.0);
  EXPECT_LT(pct(with_current), 30.0);
}

TEST(RegistryGenerate, HouseholdsEnterprisesParcelsReferToCitizens) {
  const Output& o = sample();
  Csv c = parse(o.citizens), h = parse(o.households), e = parse(o.enterprises), p = parse(o.parcels);
  std::unordered_map<std::string, const std::vector<std::string>*> citizen;
  for (const auto& r : c.rows) citizen.emplace(r[0], &r);
  const std::set<std::string> relations = {"chủ hộ", "vợ", "chồng", "con", "bố", "mẹ", "cháu"};
  std::set<std::string> household_ids;
  for (const auto& r : h.rows) {
    EXPECT_EQ(r[0].size(), 12u);
    EXPECT_EQ(r[0].rfind("HK", 0), 0u);
    EXPECT_TRUE(household_ids.insert(r[0]).second);
    size_t members = 0;
    std::stringstream ss(r[3]);
    std::string m;
    while (std::getline(ss, m, '|')) {
      ++members;
      auto colon = m.find(':');
      ASSERT_NE(colon, std::string::npos) << r[3];
      std::string id = m.substr(0, colon), rel = m.substr(colon + 1);
      EXPECT_TRUE(relations.contains(rel)) << rel;
      if (members == 1) {
        EXPECT_EQ(id, r[1]);
        EXPECT_EQ(rel, "chủ hộ");
      }
      auto it = citizen.find(id);
      ASSERT_NE(it, citizen.end()) << id;
      EXPECT_EQ((*it->second)[8], r[0]);
    }
    EXPECT_GE(members, 1u);
    EXPECT_LE(members, 7u);
  }

  size_t bad_check = 0, active = 0;
  std::set<std::string> codes;
  for (const auto& r : e.rows) {
    EXPECT_EQ(r[0].size(), 10u);
    EXPECT_TRUE(codes.insert(r[0]).second);
    bad_check += !registry::rules::tax_check_digit_ok(r[0]);
    std::vector<registry::rules::Violation> v;
    registry::rules::check_date(r[5], "registration_date", kToday, v);
    EXPECT_TRUE(v.empty()) << r[5];
    EXPECT_GE(r[5], "1995-01-01");
    EXPECT_TRUE(r[4] == "active" || r[4] == "suspended" || r[4] == "dissolved") << r[4];
    active += r[4] == "active";
    ASSERT_TRUE(citizen.contains(r[2])) << r[2];
    // The representative was an adult when the enterprise was registered.
    int born = std::stoi((*citizen.at(r[2]))[2].substr(0, 4));
    EXPECT_GE(std::stoi(r[5].substr(0, 4)), born + 18);
    const std::string& name = r[1];
    EXPECT_TRUE(name.rfind("Công ty TNHH ", 0) == 0 || name.rfind("Công ty Cổ phần ", 0) == 0 ||
                name.rfind("Doanh nghiệp tư nhân ", 0) == 0 || name.rfind("Công ty Hợp danh ", 0) == 0)
        << name;
  }
  EXPECT_EQ(bad_check, o.summary.dirty_enterprises);
  EXPECT_LE(bad_check, 15u);
  EXPECT_GT(active, e.rows.size() * 3 / 4);

  const std::set<std::string> land_use = {"ONT", "ODT", "LUC", "CLN", "BHK", "NTS", "RSX", "TMD", "SKC"};
  std::set<std::string> keys, certificates;
  size_t ont_in_xa = 0, residential = 0;
  for (const auto& r : p.rows) {
    const auto* commune = real_map()->find("commune", r[0], kToday);
    ASSERT_NE(commune, nullptr) << r[0];
    int sheet = std::stoi(r[1]), number = std::stoi(r[2]);
    EXPECT_TRUE(sheet >= 1 && sheet <= 60) << r[1];
    EXPECT_TRUE(number >= 1 && number <= 999) << r[2];
    EXPECT_TRUE(keys.insert(r[0] + "-" + r[1] + "-" + r[2]).second) << "parcel repeated";
    double area = std::stod(r[3]);
    EXPECT_GE(area, 30);
    EXPECT_LE(area, 5000);
    EXPECT_TRUE(land_use.contains(r[4])) << r[4];
    if (r[4] == "ONT" || r[4] == "ODT") {
      ++residential;
      ont_in_xa += (r[4] == "ONT") == (commune->type != "Phường");
    }
    std::stringstream ss(r[5]);
    std::string owner;
    size_t owners = 0;
    while (std::getline(ss, owner, '|')) {
      ++owners;
      EXPECT_TRUE(citizen.contains(owner) || codes.contains(owner)) << owner;
    }
    EXPECT_LE(owners, 2u);
    if (!r[6].empty()) {
      EXPECT_EQ(r[6].size(), 9u) << r[6];
      EXPECT_TRUE(certificates.insert(r[6]).second) << r[6];
    }
  }
  EXPECT_GT(residential, p.rows.size() / 2);
  EXPECT_GT(ont_in_xa, residential * 95 / 100);  // ONT in rural communes, ODT in wards
}

TEST(RegistryGenerate, AddressesAreOnTheMapOldAndNew) {
  const Output& o = sample();
  Csv h = parse(o.households);
  units::AddressIndex index(real_map());
  size_t n = 0, converted = 0, old = 0;
  for (const auto& r : h.rows) {
    if (++n > 3000) break;
    auto conv = index.convert(r[2], kToday);
    converted += conv.status == "converted";
    if (conv.status != "converted") ADD_FAILURE() << r[2] << ": " << conv.status << " " << conv.reason;
    bool was_old = conv.old_district.unit != nullptr || (conv.old_commune.unit && !conv.old_commune.unit->valid_on(kToday));
    old += was_old;
  }
  --n;
  EXPECT_GE(converted * 100, n * 99);
  // About 30 % written as old three-level addresses, converted by the units module.
  EXPECT_NEAR(100.0 * static_cast<double>(old) / static_cast<double>(n), 30.0, 5.0);
}

TEST(RegistryGenerate, RejectsBadOptions) {
  registry::GenerateOptions o;
  std::ostringstream c, h, e, p;
  o.today = "2025-13-01";
  EXPECT_THROW(registry::generate(*real_map(), o, c, h, e, p), std::invalid_argument);
  o.today = kToday;
  o.dirty_share = 1.5;
  EXPECT_THROW(registry::generate(*real_map(), o, c, h, e, p), std::invalid_argument);
  // Before the 2025 reform the current map is the old three-level one, and that works too.
  o.dirty_share = 0;
  o.today = "2024-06-01";
  o.citizens = 500;
  auto s = registry::generate(*real_map(), o, c, h, e, p);
  EXPECT_EQ(s.citizens, 500u);
  units::AddressIndex index(real_map());
  Csv hh = parse(h.str());
  for (size_t i = 0; i < std::min<size_t>(hh.rows.size(), 100); ++i)
    EXPECT_EQ(index.convert(hh.rows[i][2], "2024-06-01").status, "converted") << hh.rows[i][2];
}
