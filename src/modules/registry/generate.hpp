#pragma once
// Synthetic population on the real unit map (issue 4, item 7; docs/REGISTRY.md, "Synthetic population"): citizens
// in households, enterprises and land parcels, written as the four registry import templates, with a
// stated share of deliberately dirty citizen rows. Used by `lienthong demo generate` and the
// benchmarks.
//
// Deterministic: the same map, options and seed give the same bytes, with any standard library
// (std::mt19937_64 is fully specified; every draw from it goes through the generator's own helpers,
// never through std::*_distribution, and no libm function decides anything).
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "modules/units/gazetteer.hpp"

namespace lt::registry {

struct GenerateOptions {
  size_t citizens = 1000;     // citizen rows written (clean + dirty)
  uint64_t seed = 20250701;
  double dirty_share = 0.02;  // share of citizen rows made dirty on purpose (0 … 1)
  std::string today;          // YYYY-MM-DD; empty: today in Vietnam (units::today_vn())
};

struct GenerateSummary {
  size_t citizens = 0, households = 0, enterprises = 0, parcels = 0;
  size_t dirty = 0;              // dirty citizen rows (the kinds in docs/REGISTRY.md, "Synthetic population")
  size_t dirty_enterprises = 0;  // enterprises written with a wrong check digit (≈ 0.5 % when dirty_share > 0)
};

// Writes the four CSV files (with their template header rows) to the streams. Residences are current
// communes of `map` on `o.today` (about 30 % of households written with the old three-level address
// of a commune that became theirs). Throws std::invalid_argument for a bad `today`, a dirty_share
// outside [0, 1] or a map without communes on that date.
GenerateSummary generate(const units::Gazetteer& map, const GenerateOptions& o, std::ostream& citizens, std::ostream& households,
                         std::ostream& enterprises, std::ostream& parcels);

}  // namespace lt::registry
