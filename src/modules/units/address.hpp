#pragma once
// Unit search and old → new address conversion over the map in memory (docs/UNITS.md).
//
// An AddressIndex is built once from a Gazetteer (every version of every unit, old and new) and is
// then read-only and shared by every thread. It keeps, for each unit version, the name without its
// type word ("Phường 5" → "5", "Thành phố Hà Nội" → "Hà Nội") under four keys of decreasing
// strictness:
//   exact   — lower case, tone marks moved to the end of each word (old/new tone placement, NFC/NFD
//             and case give the same key), quality marks kept (â ê ô ơ ư ă đ);
//   folded  — no diacritics at all;
//   variant — folded, no spaces or apostrophes, final k → c, consonant + y → i ("Đắc Lắc" = "Đắk Lắk",
//             "Qui Nhơn" = "Quy Nhơn");
//   fuzzy   — a variant key within edit distance 1 (2 from 9 letters); never for names with digits,
//             so "Phường 5" never matches "Phường 15".
#include <iosfwd>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <map>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "modules/units/gazetteer.hpp"
#include "platform/util/flat_index.hpp"

namespace lt::units {

// How a level of the input was recognised, strictest first.
enum class How { none, code, exact, folded, variant, fuzzy };
std::string_view how_name(How h);
// The confidence factor of a level matched this way (docs/UNITS.md, "Confidence").
double how_factor(How h);

struct LevelMatch {
  const UnitVersion* unit = nullptr;  // the (first) unit recognised at this level
  How how = How::none;
};

struct Conversion {
  std::string status;  // "converted" | "ambiguous" | "unresolved"
  std::string street;  // the part before the first recognised unit, as written (NFC)
  const UnitVersion* commune = nullptr;   // the new commune (converted)
  const UnitVersion* province = nullptr;  // the new province (when known, also for the other statuses)
  std::string new_address;
  double confidence = 0;
  std::vector<const UnitVersion*> candidates;  // new communes, by code (ambiguous)
  std::string reason;                          // why not converted, or what was loose; Vietnamese / English
  std::string reason_code;                     // stable: split_commune, same_name, commune_missing, …
  LevelMatch old_province, old_district, old_commune;
};

// Structured input: codes of the old (or current) units, any of them may be empty.
struct AddressCodes {
  std::string province, district, commune, street;
};

class AddressIndex {
 public:
  explicit AddressIndex(std::shared_ptr<const Gazetteer> g);

  // Remembers how pieces of addresses parse, between conversions: a file repeats "Quận Cầu Giấy"
  // far more often than whole addresses. Bounded; not thread-safe (one per file or per thread).
  class ParseCache {
   public:
    ParseCache();
    ~ParseCache();
    ParseCache(const ParseCache&) = delete;
    ParseCache& operator=(const ParseCache&) = delete;

   private:
    friend class AddressIndex;
    struct Impl;
    std::unique_ptr<Impl> impl_;
  };

  // Free text, e.g. "Số 12 ngõ 34 Trần Thái Tông, phường Dịch Vọng Hậu, quận Cầu Giấy, Hà Nội".
  // The same answer with or without a cache.
  Conversion convert(std::string_view text, std::string_view as_of, ParseCache* cache = nullptr) const;
  Conversion convert(const AddressCodes& codes, std::string_view as_of) const;

  struct Hit {
    const UnitVersion* unit;
    int score;  // higher is better; 100 exact, 90 folded, 85 variant, 70 prefix, 60 words, 50/40 fuzzy
    How how;
  };
  // Units valid on `as_of` (all levels, or one) ranked for what a person typed.
  std::vector<Hit> search(std::string_view q, std::string_view as_of, std::string_view level, size_t limit) const;

  const Gazetteer& map() const { return *g_; }

  struct Segment;  // a parsed piece of an address (address.cpp)

  // Keys (public for tests and benchmarks).
  static std::string variant_key(std::string_view folded);

 private:
  struct Entry {
    const UnitVersion* unit;
    std::string exact, folded, variant;  // keys of the name without its type word
    std::string type_folded;             // "phuong", "thanh pho", …
    std::string province;                // code of the province the unit lies in
    bool numeric = false;                // name is a number ("Phường 5")
    uint64_t sig = 0;                    // letters of the variant key (fuzzy pre-filter)
    uint64_t fsig = 0;                   // letters of the folded key (a word inside it has a subset)
    unsigned level_bit = 0;              // 1 province, 2 district, 4 commune
    int from = 0, to = 0;                // validity as YYYYMMDD, `to` exclusive (INT_MAX: still valid)
    uint32_t parent_num = 0, province_num = 0;  // code_num() of parent_code and province
  };
  // A unit code as one integer (its digits and its length), for comparing codes in hot loops.
  static uint32_t code_num(std::string_view code);
  // The entries of `level` (empty: all) valid on `as_of`, remembered for the last few dates asked
  // (search scans them instead of every version of every unit).
  // Each valid entry as a probe: what search needs to rule it out without touching the entry
  // itself (32 bytes each, so a scan of today's ~3,400 units stays in the CPU cache).
  struct Probe {
    uint64_t sig, fsig;  // as in Entry
    uint32_t id;         // the entry
    uint16_t exact_len, folded_len, variant_len;
    char exact0, folded0, variant0;  // first bytes of the keys (0 when empty)
    bool numeric;
  };
  std::shared_ptr<const std::vector<Probe>> valid_entries(std::string_view as_of, std::string_view level) const;
  mutable std::mutex valid_mu_;
  mutable std::map<std::string, std::shared_ptr<const std::vector<Probe>>, std::less<>> valid_cache_;
  using Ids = std::vector<uint32_t>;

  // (key kind, level bit, key) → entry ids, in one flat table: a key that names no unit (every
  // street piece is tried at each level) costs one probe, not a bucket and a node per map.
  class KeyTable {
   public:
    enum Kind : uint8_t { kExact, kFolded, kVariant, kAlias };
    void add(Kind kind, unsigned level, const std::string& key, uint32_t id);
    const Ids* find(Kind kind, unsigned level, std::string_view key) const;

   private:
    struct Item {
      Kind kind;
      unsigned level;
      std::string key;
      Ids ids;
      uint32_t next = UINT32_MAX;  // another item whose hash is the same
    };
    static uint64_t hash(Kind kind, unsigned level, std::string_view key);
    util::FlatIndex index_{1u << 16};
    std::vector<Item> items_;
  };
  // Entries of `level` named like `seg` whose province is one of `provinces` (empty: anywhere) and,
  // when `parent` is set, whose parent is that unit; best tier only.
  Ids lookup(const Segment& seg, std::string_view level, const std::vector<std::string>* provinces,
             const UnitVersion* parent, How& how, const std::vector<uint32_t>* province_nums = nullptr) const;
  Conversion finish(Conversion c, std::vector<const UnitVersion*> communes, std::string_view as_of, bool district_missing,
                    bool province_missing) const;
  std::vector<const UnitVersion*> communes_from_districts(const std::vector<const UnitVersion*>& districts, std::string_view as_of) const;
  const UnitVersion* new_province_of(const UnitVersion* u, std::string_view as_of) const;

  std::shared_ptr<const Gazetteer> g_;
  std::vector<Entry> entries_;
  KeyTable keys_;  // names of every version by kind and level, and short province names ("hcm", "tphcm")
  std::unordered_map<std::string, Ids> children_;                    // parent level/code → entries
  std::unordered_map<std::string, std::vector<std::string>> scope_;  // province code → itself + old provinces merged into it
};

// Streams a CSV file through the converter (docs/UNITS.md, "Converting a file"): every input row is
// written, in order, with the columns status, new_address, new_commune_code, new_commune_name,
// new_province_code, new_province_name, confidence, candidates and reason appended. The address is
// read from `column` (free text), or from the code columns when `column` is empty.
struct CsvOptions {
  std::string column;                                   // free-text column
  std::string province_column, district_column, commune_column, street_column;  // structured
  std::string as_of;
  std::function<void(size_t rows, size_t bytes)> progress;  // called every 8,192 rows
};
struct CsvSummary {
  size_t rows = 0, converted = 0, ambiguous = 0, unresolved = 0;
  std::vector<std::pair<std::string, size_t>> reasons;  // reason code → rows, most frequent first
};
// Throws ApiError (400 unknown_column, invalid_csv) when the header is unusable.
CsvSummary convert_csv(const AddressIndex& index, std::istream& in, std::ostream& out, const CsvOptions& o);

}  // namespace lt::units
