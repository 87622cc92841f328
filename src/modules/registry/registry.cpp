// The versioned registry store, normalisation and data-quality rules per registry (docs/REGISTRY.md).
#include "modules/registry/registry.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "platform/outbox/outbox.hpp"
#include "platform/util/csv.hpp"
#include "platform/util/error.hpp"
#include "platform/util/text.hpp"
#include "platform/util/time.hpp"

namespace lt::registry {

namespace bj = boost::json;

const std::vector<RegistrySpec>& specs() {
  static const std::vector<RegistrySpec> s = {
      {"citizens",
       "citizen",
       "id_number",
       {{"id_number", true},
        {"full_name", true},
        {"birth_date", true},
        {"sex", true},
        {"ethnicity", false},
        {"nationality", false},
        {"permanent_address", true},
        {"current_address", false},
        {"household_id", false}}},
      {"households", "household", "household_id", {{"household_id", true}, {"head_id", true}, {"address", true}, {"members", false}}},
      {"enterprises",
       "enterprise",
       "enterprise_code",
       {{"enterprise_code", true},
        {"name", true},
        {"legal_representative_id", false},
        {"address", true},
        {"status", true},
        {"registration_date", true}}},
      {"parcels",
       "parcel",
       "parcel_id",
       {{"commune_code", true},
        {"map_sheet", true},
        {"parcel_number", true},
        {"area_m2", true},
        {"land_use", true},
        {"owners", false},
        {"certificate_number", false}}},
  };
  return s;
}

const RegistrySpec* spec(std::string_view name) {
  for (const auto& s : specs())
    if (s.name == name) return &s;
  return nullptr;
}

Service::Service(db::Database& db, audit::Log& audit, units::Service& units)
    : db_(db), audit_(audit), units_(units), access_log_(std::make_unique<AccessLog>(db)) {
  // Birth-province codes of personal IDs are the 63 provinces before 1 July 2025.
  for (const auto* p : units_.map()->valid_on("2025-06-30", "province")) old_provinces_.insert(p->code);
}

void Service::add_migrations(db::Migrator& m) {
  m.add({"registry", 1, "versioned registry records",
         "CREATE TABLE registry_records (registry TEXT NOT NULL, key TEXT NOT NULL, version BIGINT NOT NULL,"
         " deleted INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL, provenance TEXT NOT NULL, warnings TEXT NOT NULL,"
         " unit_code TEXT, province_code TEXT, name_folded TEXT, dup_key TEXT, verified_at TEXT NOT NULL,"
         " updated_at TEXT NOT NULL, PRIMARY KEY (registry, key));"
         "CREATE INDEX registry_records_unit ON registry_records (registry, unit_code);"
         "CREATE INDEX registry_records_province ON registry_records (registry, province_code);"
         "CREATE INDEX registry_records_name ON registry_records (registry, name_folded);"
         "CREATE INDEX registry_records_dup ON registry_records (registry, dup_key);"
         "CREATE TABLE registry_history (registry TEXT NOT NULL, key TEXT NOT NULL, version BIGINT NOT NULL,"
         " deleted INTEGER NOT NULL, data TEXT NOT NULL, provenance TEXT NOT NULL, warnings TEXT NOT NULL,"
         " valid_from TEXT NOT NULL, source TEXT NOT NULL, actor TEXT NOT NULL, PRIMARY KEY (registry, key, version));",
         {}});
  AccessLog::add_migration(m);
  add_purpose_migrations(m);
}

// ---- normalisation and rules -------------------------------------------------------------------

namespace {

std::string clean_text(std::string_view v) {
  std::string s = text::valid_utf8(v) ? text::nfc(text::trim(v)) : std::string(text::trim(v));
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string str_of(const bj::object& o, std::string_view k) {
  auto it = o.find(k);
  if (it == o.end() || it->value().is_null()) return {};
  if (it->value().is_string()) return std::string(it->value().as_string());
  return bj::serialize(it->value());
}

void add(std::vector<rules::Violation>& v, std::string rule, std::string field, std::string msg) {
  v.push_back({std::move(rule), std::move(field), std::move(msg)});
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

const std::set<std::string, std::less<>> kLandUse = {"ONT", "ODT", "LUC", "LUK", "LUN", "BHK", "NHK", "CLN", "RSX", "RPH",
                                                     "RDD", "NTS", "LMU", "NKH", "TMD", "SKC", "DGD", "DYT", "CQP", "CAN",
                                                     "TSC", "DTT", "NTD", "SON", "MNC", "BCS", "DCS"};

}  // namespace

Record Service::normalise(const RegistrySpec& sp, const bj::object& in, const std::string& today) const {
  Record r;
  r.registry = sp.name;
  // Only the template's fields; each one a clean NFC string.
  for (const auto& f : sp.fields) {
    std::string v = str_of(in, f.name);
    if (!text::valid_utf8(v)) {
      add(r.errors, "correct.encoding", f.name, "Không phải UTF-8 / Not valid UTF-8");
      v.clear();
    }
    v = clean_text(v);
    if (f.required && v.empty())
      add(r.errors, "sufficient." + f.name, f.name, "Thiếu " + f.name + " / " + f.name + " is required");
    if (v.size() > 1000) {
      add(r.errors, "correct.too_long", f.name, "Quá dài / Too long");
      v.resize(0);
    }
    r.data[f.name] = v;
  }
  auto get = [&](const char* k) { return std::string(r.data.at(k).as_string()); };
  auto idx = units_.addresses();
  // An address in free text → the current commune and province, and the street as written.
  auto place = [&](const std::string& field, const std::string& prefix) {
    std::string a = get(field.c_str());
    r.data.erase(field);
    r.data[prefix + "address"] = a;
    r.data[prefix + "commune_code"] = "";
    r.data[prefix + "province_code"] = "";
    r.data[prefix + "street"] = "";
    if (a.empty()) return std::string();
    auto c = idx->convert(a, today);
    if (c.province) r.data[prefix + "province_code"] = c.province->code;
    if (c.status == "converted") {
      r.data[prefix + "commune_code"] = c.commune->code;
      r.data[prefix + "street"] = c.street;
      r.data[prefix + "address"] = c.new_address;
      bool old = c.old_commune.unit && !c.old_commune.unit->valid_on(today);
      if (old || c.old_district.unit)
        add(r.warnings, "unified.address_converted", field, "Địa chỉ cũ đã được chuyển sang đơn vị mới / Old address converted");
      return c.commune->code;
    }
    add(r.warnings, c.status == "ambiguous" ? "unified.address_ambiguous" : "unified.address_unresolved", field, c.reason);
    return c.province ? c.province->code : std::string();
  };

  // A personal ID in another field than id_number (a household head, a legal representative…).
  auto check_id = [&](const std::string& id, const char* field) {
    std::vector<rules::Violation> v;
    rules::check_personal_id(id, std::nullopt, "", old_provinces_, v);
    for (auto& x : v) x.field = field;
    r.errors.insert(r.errors.end(), v.begin(), v.end());
  };
  std::string unit;
  if (sp.name == "citizens") {
    r.key = get("id_number");
    auto birth = rules::parse_partial_date(get("birth_date"));
    if (!get("birth_date").empty()) rules::check_birth_date(get("birth_date"), "birth_date", today, r.errors);
    if (!get("sex").empty()) rules::check_sex(get("sex"), "sex", r.errors);
    if (!r.key.empty()) rules::check_personal_id(r.key, birth, get("sex"), old_provinces_, r.errors);
    if (!get("full_name").empty()) rules::check_person_name(get("full_name"), "full_name", r.errors);
    if (get("nationality").empty()) r.data["nationality"] = "VN";
    unit = place("permanent_address", "permanent_");
    place("current_address", "current_");
    r.name_folded = text::fold(get("full_name"));
    r.dup_key = r.name_folded + "|" + get("birth_date") + "|" + std::string(r.data.at("permanent_commune_code").as_string());
  } else if (sp.name == "households") {
    r.key = get("household_id");
    if (!r.key.empty() && (r.key.size() > 20 || !std::all_of(r.key.begin(), r.key.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; })))
      add(r.errors, "correct.household_id", "household_id", "Mã hộ chỉ gồm chữ, số, '-' (tối đa 20) / Letters, digits, '-' (max 20)");
    if (!get("head_id").empty()) check_id(get("head_id"), "head_id");
    std::string members = get("members");
    if (!members.empty()) {
      size_t start = 0;
      while (start <= members.size()) {
        size_t bar = members.find('|', start);
        std::string m = members.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
        size_t colon = m.find(':');
        if (colon == std::string::npos || colon + 1 >= m.size()) {
          add(r.errors, "correct.members", "members", "Thành viên dạng SỐĐỊNHDANH:quan hệ / Members as ID:relation");
          break;
        }
        check_id(m.substr(0, colon), "members");
        if (bar == std::string::npos) break;
        start = bar + 1;
      }
    }
    unit = place("address", "");
  } else if (sp.name == "enterprises") {
    r.key = get("enterprise_code");
    if (!r.key.empty()) rules::check_tax_code(r.key, "enterprise_code", r.errors);
    if (!get("legal_representative_id").empty()) check_id(get("legal_representative_id"), "legal_representative_id");
    std::string st = get("status");
    if (!st.empty() && st != "active" && st != "suspended" && st != "dissolved")
      add(r.errors, "correct.status", "status", "status: active|suspended|dissolved");
    if (!get("registration_date").empty()) rules::check_date(get("registration_date"), "registration_date", today, r.errors);
    unit = place("address", "");
    r.name_folded = text::fold(get("name"));
    r.dup_key = r.name_folded + "|" + unit;
  } else if (sp.name == "parcels") {
    std::string commune = get("commune_code");
    if (!commune.empty() && !units_.map()->find("commune", commune, today))
      add(r.errors, "correct.unit_unknown", "commune_code", "Mã xã không có trên bản đồ hiện hành / Not a current commune code");
    for (const char* f : {"map_sheet", "parcel_number"})
      if (!get(f).empty() && (!all_digits(get(f)) || get(f).size() > 9 || std::stoll(get(f)) == 0))
        add(r.errors, "correct.number", f, std::string(f) + " là số nguyên dương / must be a positive integer");
    std::string area = get("area_m2");
    if (!area.empty()) {
      char* end = nullptr;
      double v = std::strtod(area.c_str(), &end);
      if (!end || *end || !(v > 0) || v > 1e9) add(r.errors, "correct.area", "area_m2", "Diện tích là số dương (m²) / Area must be a positive number");
    }
    if (!get("land_use").empty() && !kLandUse.contains(get("land_use")))
      add(r.errors, "correct.land_use", "land_use", "Mục đích sử dụng đất theo mã chuẩn (ONT, ODT, LUC, CLN…) / Unknown land-use code");
    std::string owners = get("owners");
    for (size_t start = 0; !owners.empty() && start <= owners.size();) {
      size_t bar = owners.find('|', start);
      std::string o = owners.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
      if (o.size() == 12) check_id(o, "owners");
      else rules::check_tax_code(o, "owners", r.errors);
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    r.key = commune + "-" + get("map_sheet") + "-" + get("parcel_number");
    r.data["parcel_id"] = r.key;
    unit = commune;
  }
  r.unit_code = unit;
  return r;
}

// ---- the store ---------------------------------------------------------------------------------

namespace {

std::string join_rules(const std::vector<rules::Violation>& v) {
  std::set<std::string> s;
  for (const auto& x : v) s.insert(x.rule);
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : "|") + x;
  return out;
}

std::string province_of_unit(const units::Service& u, const std::string& code) {
  if (code.size() == 2) return code;
  return code.empty() ? std::string() : u.province_of(code);
}

// Stores `r` (already validated) in the open transaction; 0 inserted, 1 updated, 2 unchanged.
int store(db::Conn& c, const units::Service& units, const Record& r, const std::string& source, const std::string& actor,
          const std::string& now) {
  std::string data = bj::serialize(r.data);
  std::string warnings = join_rules(r.warnings);
  std::string province = province_of_unit(units, r.unit_code);
  // New keys (the common case of an import) take one statement; existing ones are compared.
  std::string base_prov = bj::serialize(bj::object{{"_", bj::array{bj::string(source), bj::string(now)}}});
  auto ins = c.q("INSERT INTO registry_records (registry, key, version, deleted, data, provenance, warnings, unit_code, province_code,"
                 " name_folded, dup_key, verified_at, updated_at) VALUES (?, ?, 1, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                 " ON CONFLICT (registry, key) DO NOTHING",
                 r.registry, r.key, data, base_prov, warnings, r.unit_code, province, r.name_folded, r.dup_key, now, now);
  if (ins.affected == 1) {
    c.q("INSERT INTO registry_history (registry, key, version, deleted, data, provenance, warnings, valid_from, source, actor)"
        " VALUES (?, ?, 1, 0, ?, ?, ?, ?, ?, ?)",
        r.registry, r.key, data, base_prov, warnings, now, source, actor);
    return 0;
  }
  auto cur = c.q("SELECT version, data, provenance, deleted FROM registry_records WHERE registry = ? AND key = ?", r.registry, r.key);
  bj::object prov;
  int64_t version = 0;
  {
    const auto& row = cur.one();
    if (row.str(1) == data && row.i64(3) == 0) return 2;
    version = row.i64(0) + 1;
    // Fields that keep their value keep their provenance; changed ones get this source and time.
    auto old_data = bj::parse(row.str(1)).as_object();
    prov = bj::parse(row.str(2)).as_object();
    // A copy: inserting into `prov` may move its elements.
    const bj::value base = prov.contains("_") ? prov.at("_") : bj::value(nullptr);
    for (const auto& kv : r.data) {
      auto it = old_data.find(kv.key());
      bool same = it != old_data.end() && it->value() == kv.value();
      if (!same) prov[kv.key()] = bj::array{bj::string(source), bj::string(now)};
      else if (!prov.contains(kv.key()) && !base.is_null()) prov[kv.key()] = base;
    }
    const bj::value now_base = bj::array{bj::string(source), bj::string(now)};
    prov["_"] = now_base;
    for (auto it = prov.begin(); it != prov.end();) {  // fields equal to the base need no entry
      if (it->key() != "_" && it->value() == now_base) it = prov.erase(it);
      else ++it;
    }
  }
  std::string p = bj::serialize(prov);
  c.q("UPDATE registry_records SET version = ?, deleted = 0, data = ?, provenance = ?, warnings = ?, unit_code = ?,"
      " province_code = ?, name_folded = ?, dup_key = ?, verified_at = ?, updated_at = ? WHERE registry = ? AND key = ?",
      version, data, p, warnings, r.unit_code, province, r.name_folded, r.dup_key, now, now, r.registry, r.key);
  c.q("INSERT INTO registry_history (registry, key, version, deleted, data, provenance, warnings, valid_from, source, actor)"
      " VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?)",
      r.registry, r.key, version, data, p, warnings, now, source, actor);
  return 1;
}

// Stores a batch sorted by key (already validated) in the open transaction, counting into ins/upd/same
// and listing changed keys. New keys go in multi-row statements — records with `ON CONFLICT DO
// NOTHING RETURNING key`, then the first version of each inserted one — a few hundred rows per
// round trip; keys already stored, and a key's later rows in the batch, go through store() one by
// one, in the batch's order.
void store_batch(db::Conn& c, const units::Service& units, const std::vector<Record>& batch, const std::string& source,
                 const std::string& actor, const std::string& now, size_t& ins, size_t& upd, size_t& same, bj::array& keys) {
  const size_t kChunk = c.pg() ? 1000 : 200;  // 11 parameters a row: under SQLite's limit of 32,766 and PostgreSQL's 65,535
  const std::string base_prov = bj::serialize(bj::object{{"_", bj::array{bj::string(source), bj::string(now)}}});
  std::vector<const Record*> slow;
  std::vector<std::string> datas, warns;
  for (size_t start = 0; start < batch.size(); start += kChunk) {
    size_t end = std::min(batch.size(), start + kChunk);
    std::vector<const Record*> firsts;
    std::vector<const Record*> later;  // a key repeated in the batch: after its first row
    for (size_t i = start; i < end; ++i) {
      if (i > 0 && batch[i].key == batch[i - 1].key) later.push_back(&batch[i]);
      else firsts.push_back(&batch[i]);
    }
    datas.clear();
    warns.clear();
    std::string sql =
        "INSERT INTO registry_records (registry, key, version, deleted, data, provenance, warnings, unit_code, province_code,"
        " name_folded, dup_key, verified_at, updated_at) VALUES ";
    std::vector<db::Param> params;
    params.reserve(firsts.size() * 11);
    for (size_t i = 0; i < firsts.size(); ++i) {
      const Record& r = *firsts[i];
      sql += i ? ", (?, ?, 1, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, 1, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      datas.push_back(bj::serialize(r.data));
      warns.push_back(join_rules(r.warnings));
      for (db::Param p : {db::Param(r.registry), db::Param(r.key), db::Param(datas.back()), db::Param(base_prov), db::Param(warns.back()),
                          db::Param(r.unit_code), db::Param(province_of_unit(units, r.unit_code)), db::Param(r.name_folded),
                          db::Param(r.dup_key), db::Param(now), db::Param(now)})
        params.push_back(std::move(p));
    }
    sql += " ON CONFLICT (registry, key) DO NOTHING RETURNING key";
    std::set<std::string> fresh;
    if (!firsts.empty())
      for (const auto& row : c.run(sql, params).rows) fresh.insert(row.str(0));
    // The first version of each inserted record.
    std::string hsql = "INSERT INTO registry_history (registry, key, version, deleted, data, provenance, warnings, valid_from, source, actor) VALUES ";
    std::vector<db::Param> hparams;
    size_t n = 0;
    for (size_t i = 0; i < firsts.size(); ++i) {
      const Record& r = *firsts[i];
      if (!fresh.contains(r.key)) {
        slow.push_back(&r);
        continue;
      }
      hsql += n++ ? ", (?, ?, 1, 0, ?, ?, ?, ?, ?, ?)" : "(?, ?, 1, 0, ?, ?, ?, ?, ?, ?)";
      for (db::Param p : {db::Param(r.registry), db::Param(r.key), db::Param(datas[i]), db::Param(base_prov), db::Param(warns[i]),
                          db::Param(now), db::Param(source), db::Param(actor)})
        hparams.push_back(std::move(p));
      ++ins;
      keys.push_back(bj::string(r.key));
    }
    if (n) c.run(hsql, hparams);
    slow.insert(slow.end(), later.begin(), later.end());
    // Existing keys and repeated ones, in the batch's order (the batch is sorted by key, stable).
    std::stable_sort(slow.begin(), slow.end(), [&](const Record* a, const Record* b) { return a < b; });
    for (const Record* r : slow) {
      int out = store(c, units, *r, source, actor, now);
      (out == 0 ? ins : out == 1 ? upd : same)++;
      if (out != 2) keys.push_back(bj::string(r->key));
    }
    slow.clear();
  }
}

bj::object record_json(const std::string& registry, const std::string& key, const db::Row& row) {
  // row: version, deleted, data, provenance, warnings, verified_at, updated_at
  bj::object o;
  o["registry"] = registry;
  o["key"] = key;
  o["version"] = row.i64(0);
  o["deleted"] = row.i64(1) != 0;
  o["data"] = bj::parse(row.str(2));
  // Provenance of every field: its own entry, or the record's base one.
  auto prov = bj::parse(row.str(3)).as_object();
  bj::object fields;
  const bj::value base = prov.contains("_") ? prov.at("_") : bj::value(nullptr);
  for (const auto& kv : o["data"].as_object()) {
    const bj::value& p = prov.contains(kv.key()) ? prov.at(kv.key()) : base;
    if (p.is_array() && p.as_array().size() == 2)
      fields[kv.key()] = {{"source", p.as_array()[0]}, {"at", p.as_array()[1]}};
  }
  o["provenance"] = std::move(fields);
  bj::array w;
  std::string ws = row.str(4);
  for (size_t s = 0; !ws.empty() && s <= ws.size();) {
    size_t b = ws.find('|', s);
    w.push_back(bj::string(ws.substr(s, b == std::string::npos ? std::string::npos : b - s)));
    if (b == std::string::npos) break;
    s = b + 1;
  }
  o["warnings"] = std::move(w);
  o["verified_at"] = row.str(5);
  o["updated_at"] = row.str(6);
  return o;
}

}  // namespace

std::optional<bj::object> Service::get(const std::string& registry, const std::string& key, const std::string& as_of) const {
  return db_.read([&](db::Conn& c) -> std::optional<bj::object> {
    db::Result r;
    if (as_of.empty()) {
      r = c.q("SELECT version, deleted, data, provenance, warnings, verified_at, updated_at FROM registry_records"
              " WHERE registry = ? AND key = ?",
              registry, key);
    } else {
      // The last version that began before the end of that day in Vietnam (UTC+7).
      r = c.q("SELECT version, deleted, data, provenance, warnings, valid_from, valid_from FROM registry_history"
              " WHERE registry = ? AND key = ? AND valid_from < ? ORDER BY version DESC LIMIT 1",
              registry, key, timeutil::iso_utc(*timeutil::parse_iso(as_of) + 86400000 - 7 * 3600000));
    }
    if (r.empty() || r.one().i64(1) != 0) return std::nullopt;
    return record_json(registry, key, r.one());
  });
}

bj::array Service::history(const std::string& registry, const std::string& key) const {
  return db_.read([&](db::Conn& c) {
    bj::array a;
    for (const auto& row : c.q("SELECT version, deleted, data, provenance, warnings, valid_from, source, actor FROM registry_history"
                               " WHERE registry = ? AND key = ? ORDER BY version",
                               registry, key)
                               .rows) {
      a.push_back({{"version", row.i64(0)},
                   {"deleted", row.i64(1) != 0},
                   {"data", bj::parse(row.str(2))},
                   {"warnings", row.str(4)},
                   {"valid_from", row.str(5)},
                   {"source", row.str(6)},
                   {"actor", row.str(7)}});
    }
    return a;
  });
}

bj::object Service::put(const std::string& registry, const bj::object& fields, const std::string& source, const std::string& actor,
                        const std::string& request_id, const std::string& scope_province) {
  const RegistrySpec* sp = spec(registry);
  if (!sp) throw ApiError::not_found("Không có sổ đăng ký này / No such registry");
  for (const auto& kv : fields) {
    bool known = false;
    for (const auto& f : sp->fields) known |= f.name == kv.key();
    if (!known) throw ApiError::bad_request("unknown_field", "Trường không được hỗ trợ / Unknown field", std::string(kv.key()));
    if (!kv.value().is_string() && !kv.value().is_null())
      throw ApiError::bad_request("invalid_type", "Giá trị phải là chuỗi / Values are strings", std::string(kv.key()));
  }
  std::string today = units::today_vn();
  Record r = normalise(*sp, fields, today);
  if (!r.errors.empty())
    throw ApiError::bad_request(r.errors.front().rule, r.errors.front().message, r.errors.front().field);
  if (!scope_province.empty() && province_of_unit(units_, r.unit_code) != scope_province)
    throw ApiError::forbidden("Bản ghi thuộc tỉnh khác, ngoài phạm vi của bạn / The record lies in another province");
  std::string now = timeutil::now_iso();
  db_.write([&](db::Conn& c) {
    int outcome = store(c, units_, r, source, actor, now);
    if (outcome == 2) return;
    audit_.append(c, {actor, sp->kind + (outcome == 0 ? ".create" : ".update"), sp->kind, r.key, r.unit_code, request_id,
                      bj::serialize(bj::object{{"warnings", join_rules(r.warnings)}})});
    outbox::Outbox::publish(c, sp->kind + ".updated", r.key,
                            bj::serialize(bj::object{{"registry", registry}, {"keys", bj::array{bj::string(r.key)}}}));
  });
  return *get(registry, r.key);
}

void Service::remove(const std::string& registry, const std::string& key, const std::string& actor, const std::string& request_id) {
  const RegistrySpec* sp = spec(registry);
  if (!sp) throw ApiError::not_found("Không có sổ đăng ký này / No such registry");
  std::string now = timeutil::now_iso();
  db_.write([&](db::Conn& c) {
    auto cur = c.q("SELECT version, data, provenance, warnings, deleted, unit_code FROM registry_records WHERE registry = ? AND key = ?",
                   registry, key);
    if (cur.empty() || cur.one().i64(4) != 0) throw ApiError::not_found("Không có bản ghi này / No such record");
    const auto& row = cur.one();
    int64_t v = row.i64(0) + 1;
    c.q("UPDATE registry_records SET version = ?, deleted = 1, updated_at = ? WHERE registry = ? AND key = ?", v, now, registry, key);
    c.q("INSERT INTO registry_history (registry, key, version, deleted, data, provenance, warnings, valid_from, source, actor)"
        " VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
        registry, key, v, row.str(1), row.str(2), row.str(3), now, "api", actor);
    audit_.append(c, {actor, sp->kind + ".delete", sp->kind, key, row.opt(5).value_or(""), request_id, "{}"});
    outbox::Outbox::publish(c, sp->kind + ".deleted", key, bj::serialize(bj::object{{"registry", registry}, {"keys", bj::array{bj::string(key)}}}));
  });
}

// ---- import ------------------------------------------------------------------------------------

ImportSummary Service::import(std::istream& in, std::ostream* rejects, const ImportOptions& o) {
  const RegistrySpec* sp = spec(o.registry);
  if (!sp) throw ApiError::bad_request("invalid_value", "Sổ: citizens|households|enterprises|parcels / Unknown registry", "registry");
  if (o.format != "csv" && o.format != "jsonl") throw ApiError::bad_request("invalid_value", "format: csv|jsonl", "format");
  // A file that cannot be read as a whole imports nothing: check the encoding first.
  {
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (!text::valid_utf8(line))
        throw ApiError::bad_request("invalid_encoding", "Tệp không phải UTF-8 (dòng " + std::to_string(n) + ") / The file is not UTF-8 (line " +
                                                            std::to_string(n) + ")",
                                    "file");
    }
    in.clear();
    in.seekg(0);
  }
  ImportSummary sum;
  std::string today = units::today_vn();
  std::map<std::string, size_t> rule_counts;
  std::set<std::string> seen;  // keys of this file (clean.duplicate_key)
  csv::Reader reader(in);
  std::vector<std::string> header, row;
  if (o.format == "csv") {
    if (!reader.next(header)) return sum;
    if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0].erase(0, 3);
    std::vector<std::string> want;
    for (const auto& f : sp->fields) want.push_back(f.name);
    if (header != want) {
      std::string w;
      for (const auto& f : want) w += (w.empty() ? "" : ",") + f;
      throw ApiError::bad_request("invalid_header", "Dòng tiêu đề phải là / The header must be: " + w, "header");
    }
    reader.recover_broken_quotes(want.size());
  }
  if (rejects) *rejects << "line,key,rules,message\n";
  std::vector<Record> batch;
  std::string source = o.source.empty() ? "import" : o.source;
  // Reading and checking rows (this thread) overlaps with writing the previous batch (the writer
  // thread): at most one batch waits while one is written.
  auto write_batch = [&](std::vector<Record>& batch) {
    // In key order, the primary-key and history indexes are written page after page, not at random;
    // stable, so that of two rows with the same key the later one still wins.
    std::stable_sort(batch.begin(), batch.end(), [](const Record& a, const Record& b) { return a.key < b.key; });
    std::string now = timeutil::now_iso();
    bj::array keys;
    size_t ins = 0, upd = 0, same = 0;
    db_.write([&](db::Conn& c) {
      ins = upd = same = 0;
      keys.clear();
      store_batch(c, units_, batch, source, o.actor, now, ins, upd, same, keys);
      if (!keys.empty()) {
        std::string detail = bj::serialize(bj::object{{"registry", sp->name}, {"source", source}, {"inserted", ins}, {"updated", upd}, {"keys", keys}});
        audit_.append(c, {o.actor, sp->kind + ".import", sp->kind, "batch", "", "", detail});
        outbox::Outbox::publish(c, sp->kind + ".updated", sp->name, bj::serialize(bj::object{{"registry", sp->name}, {"keys", keys}}));
      }
    });
    sum.inserted += ins;
    sum.updated += upd;
    sum.unchanged += same;
    ++sum.batches;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::optional<std::vector<Record>> pending;  // handed to the writer
  bool done = false, writing = false;
  std::exception_ptr failed;
  std::thread writer([&] {
    for (;;) {
      std::vector<Record> b;
      {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return pending || done; });
        if (!pending) return;
        b = std::move(*pending);
        pending.reset();
        writing = true;
      }
      cv.notify_all();
      try {
        write_batch(b);
      } catch (...) {
        std::lock_guard lk(mu);
        failed = std::current_exception();
      }
      {
        std::lock_guard lk(mu);
        writing = false;
      }
      cv.notify_all();
    }
  });
  struct Join {  // the writer stops on every way out of this function
    std::mutex& mu;
    std::condition_variable& cv;
    bool& done;
    std::thread& t;
    ~Join() {
      {
        std::lock_guard lk(mu);
        done = true;
      }
      cv.notify_all();
      if (t.joinable()) t.join();
    }
  } join{mu, cv, done, writer};
  // Hands `batch` to the writer (waiting while another batch still waits); rethrows its failure.
  auto flush = [&] {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return !pending || failed; });
    if (failed) std::rethrow_exception(failed);
    if (batch.empty()) return;
    pending = std::move(batch);
    batch.clear();
    batch.reserve(o.batch);
    lk.unlock();
    cv.notify_all();
  };
  // Waits until everything handed over is written.
  auto drain = [&] {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return (!pending && !writing) || failed; });
    if (failed) std::rethrow_exception(failed);
  };
  auto report = [&](size_t line, const Record& r, const std::vector<rules::Violation>& v, bool accepted) {
    for (const auto& x : v) ++rule_counts[x.rule];
    if (!rejects) return;
    std::string msg;
    for (const auto& x : v) msg += (msg.empty() ? "" : "; ") + x.field + ": " + x.message;
    if (accepted) msg = "accepted_with_warnings: " + msg;
    *rejects << csv::format_row({std::to_string(line), r.key, join_rules(v), msg}) << '\n';
  };
  std::string line;
  size_t line_no = 0, bytes = 0;
  for (;;) {
    bj::object fields;
    size_t at_line;
    bool broken = false;
    if (o.format == "csv") {
      if (!reader.next(row)) break;
      at_line = reader.line();
      broken = reader.error() || row.size() != header.size();
      for (size_t i = 0; i < header.size() && i < row.size(); ++i) fields[header[i]] = row[i];
      for (const auto& f : row) bytes += f.size() + 1;
    } else {
      if (!std::getline(in, line)) break;
      at_line = ++line_no;
      bytes += line.size() + 1;
      if (text::trim(line).empty()) continue;
      boost::system::error_code ec;
      auto v = bj::parse(line, ec);
      if (ec || !v.is_object()) broken = true;
      else fields = std::move(v.as_object());
    }
    ++sum.rows;
    Record r;
    if (broken) {
      r.key = fields.contains(sp->key) && fields.at(sp->key).is_string() ? std::string(fields.at(sp->key).as_string()) : "";
      r.errors.push_back({"correct.malformed_row", "", "Dòng không đọc được (cột, dấu nháy hoặc JSON) / Unreadable row"});
    } else {
      r = normalise(*sp, fields, today);
      if (!o.scope_province.empty() && r.errors.empty() && province_of_unit(units_, r.unit_code) != o.scope_province)
        r.errors.push_back({"scope.outside_province", "", "Bản ghi thuộc tỉnh khác, ngoài phạm vi của bạn / The record lies in another province"});
    }
    if (!r.errors.empty()) {
      ++sum.rejected;
      auto all = r.errors;
      all.insert(all.end(), r.warnings.begin(), r.warnings.end());
      report(at_line, r, all, false);
    } else {
      if (!seen.insert(r.key).second)
        r.warnings.push_back({"clean.duplicate_key", sp->key, "Khoá lặp lại trong tệp; dòng sau ghi đè / Key repeated in the file; the later row wins"});
      if (!r.warnings.empty()) {
        ++sum.with_warnings;
        report(at_line, r, r.warnings, true);
      }
      batch.push_back(std::move(r));
      if (batch.size() >= o.batch) flush();
    }
    if (o.progress && (sum.rows & 8191) == 0) o.progress(sum.rows, bytes);
  }
  flush();
  drain();
  if (o.progress) o.progress(sum.rows, bytes);
  sum.rules.assign(rule_counts.begin(), rule_counts.end());
  std::sort(sum.rules.begin(), sum.rules.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return sum;
}

// ---- data-quality report -----------------------------------------------------------------------

namespace {
// " WHERE …" selecting the live records of a registry in a province (2-digit code) or commune.
std::string unit_filter(const std::string& registry, const std::string& unit, std::vector<db::Param>& p) {
  std::string where = " WHERE registry = ? AND deleted = 0";
  p = {registry};
  if (!unit.empty()) {
    where += unit.size() == 2 ? " AND province_code = ?" : " AND unit_code = ?";
    p.emplace_back(unit);
  }
  return where;
}
}  // namespace

bj::object Service::quality(const std::string& registry, const std::string& unit) const {
  std::vector<db::Param> p;
  std::string where = unit_filter(registry, unit, p);
  std::string stale_before = timeutil::iso_utc(timeutil::now_ms() - static_cast<int64_t>(stale_days) * 86400000);
  return db_.read([&](db::Conn& c) {
    int64_t total = c.run("SELECT COUNT(*) FROM registry_records" + where, p).one().i64(0);
    std::map<std::string, int64_t> counts;
    // Warnings kept on the records (unified.*, clean.duplicate_key).
    for (const auto& row : c.run("SELECT warnings, COUNT(*) FROM registry_records" + where + " AND warnings <> '' GROUP BY warnings", p).rows) {
      std::string ws = row.str(0);
      for (size_t s = 0; s <= ws.size();) {
        size_t b = ws.find('|', s);
        counts[ws.substr(s, b == std::string::npos ? std::string::npos : b - s)] += row.i64(1);
        if (b == std::string::npos) break;
        s = b + 1;
      }
    }
    // clean.probable_duplicate: records sharing normalised name + birth date + address.
    auto dup = c.run("SELECT COALESCE(SUM(n), 0) FROM (SELECT COUNT(*) AS n FROM registry_records" + where +
                         " AND dup_key IS NOT NULL AND dup_key <> '' GROUP BY dup_key HAVING COUNT(*) > 1) d",
                     p);
    counts["clean.probable_duplicate"] = dup.one().i64(0);
    // live.stale: not verified for stale_days.
    std::vector<db::Param> p2 = p;
    p2.emplace_back(stale_before);
    counts["live.stale"] = c.run("SELECT COUNT(*) FROM registry_records" + where + " AND verified_at < ?", p2).one().i64(0);
    bj::array rules_out;
    for (const auto& [rule, n] : counts)
      rules_out.push_back({{"rule", rule}, {"count", n}, {"rate", total ? static_cast<double>(n) / static_cast<double>(total) : 0.0}});
    return bj::object{{"registry", registry}, {"unit", unit}, {"total", total}, {"stale_days", stale_days}, {"rules", std::move(rules_out)}};
  });
}

std::vector<std::string> Service::quality_records(const std::string& registry, const std::string& unit, const std::string& rule,
                                                  size_t limit) const {
  std::vector<db::Param> p;
  std::string where = unit_filter(registry, unit, p);
  std::string sql;
  if (rule == "clean.probable_duplicate") {
    sql = "SELECT key FROM registry_records" + where + " AND dup_key IN (SELECT dup_key FROM registry_records" + where +
          " AND dup_key <> '' GROUP BY dup_key HAVING COUNT(*) > 1) ORDER BY dup_key, key";
    auto p2 = p;
    p.insert(p.end(), p2.begin(), p2.end());
  } else if (rule == "live.stale") {
    sql = "SELECT key FROM registry_records" + where + " AND verified_at < ? ORDER BY key";
    p.emplace_back(timeutil::iso_utc(timeutil::now_ms() - static_cast<int64_t>(stale_days) * 86400000));
  } else {
    sql = "SELECT key FROM registry_records" + where + " AND ('|' || warnings || '|') LIKE ? ORDER BY key";
    p.emplace_back("%|" + rule + "|%");
  }
  sql += " LIMIT " + std::to_string(limit);
  return db_.read([&](db::Conn& c) {
    std::vector<std::string> keys;
    for (const auto& row : c.run(sql, p).rows) keys.push_back(row.str(0));
    return keys;
  });
}

}  // namespace lt::registry
