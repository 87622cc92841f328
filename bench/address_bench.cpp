// Micro-benchmarks of the address engine (issue 3), Google Benchmark. Run by scripts/bench.sh:
//
//   build/bench/lt_bench_address --benchmark_format=json [--addresses-dir=DIR] [--root=DIR]
//
// The index is built from the real map: a throwaway application (temporary SQLite database,
// migrations load data/admin-units/) as `lienthong` itself does, then app.units->addresses().
// Every benchmark processes one item per iteration, cycling through its corpus, so the time per
// iteration is the time per string / address / query.
//
//   fold/fast/*      text::fold (table-driven fast path)
//   fold/icu/*       the same strings through an ICU transliterator with the rules the fast path
//                    replaces ("::NFD; ::[:Nonspacing Mark:] Remove; đ > d; Đ > d; ::Lower; ::NFC;")
//   tone_key/names   text::tone_key
//   convert/text/*   AddressIndex::convert(free text)
//   convert/codes/*  AddressIndex::convert(old codes)
//   search/cases     AddressIndex::search, the queries of tests/data/unit_search_cases.csv
//   csv/*            convert_csv over an in-memory CSV (reading + converting + writing), and the CSV
//                    reading and writing alone (csv/read_format), to split the cost of a file row
//
// Corpora: names = every unit name of the map (old and new); formal = one address per old commune
// ("Số 12 Lê Lợi, <commune>, <district>, <province>"), also in NFD; cases = the inputs of
// tests/data/address_cases.csv; generated = the first 20,000 rows of the files bench/make_addresses.py
// writes (--addresses-dir; skipped when absent).
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "modules/units/address.hpp"
#include "platform/crypto/crypto.hpp"
#include "platform/util/csv.hpp"
#include "platform/util/text.hpp"

#ifndef LT_SOURCE_DIR
#define LT_SOURCE_DIR "."
#endif

namespace fs = std::filesystem;
using namespace lt;

namespace {

constexpr size_t kGeneratedRows = 20000;
constexpr const char* kFoldRules = "::NFD; ::[:Nonspacing Mark:] Remove; đ > d; Đ > d; ::Lower; ::NFC;";

struct Corpus {
  std::vector<std::string> names, formal, formal_nfd, cases_text, generated_text;
  std::vector<units::AddressCodes> codes_old, codes_cases, generated_codes;
  struct Query {
    std::string q, as_of, level;
  };
  std::vector<Query> queries;
  std::string generated_text_csv, generated_codes_csv;  // the first rows of the generated files, as CSV
};

std::unique_ptr<app::App> g_app;
std::shared_ptr<const units::AddressIndex> g_index;
Corpus g_corpus;
std::string g_today;

std::vector<std::vector<std::string>> read_csv(const fs::path& p, size_t max_rows = SIZE_MAX, std::string* raw = nullptr) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  csv::Reader r(in);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  while (rows.size() <= max_rows && r.next(row)) rows.push_back(row);
  if (raw) {
    std::string out;
    for (const auto& x : rows) out += csv::format_row(x) + "\n";
    *raw = std::move(out);
  }
  return rows;
}

int col(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  throw std::runtime_error("no column " + name);
}

std::string nfd(const std::string& s) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFDInstance(err);
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  std::string out;
  n->normalize(u, err).toUTF8String(out);
  return out;
}

void load_corpora(const fs::path& root, const fs::path& generated) {
  Corpus& c = g_corpus;
  const auto& g = g_index->map();
  for (const auto& u : g.all()) c.names.push_back(u.name);
  for (const auto& u : g.all()) {
    if (u.level != "commune" || u.valid_to.empty() || u.parent_code.size() != 3) continue;
    const auto* d = g.versions("district", u.parent_code).empty() ? nullptr : g.versions("district", u.parent_code).back();
    if (!d) continue;
    const auto* p = g.versions("province", d->parent_code).empty() ? nullptr : g.versions("province", d->parent_code).front();
    if (!p) continue;
    c.formal.push_back("Số 12 Lê Lợi, " + u.name + ", " + d->name + ", " + p->name);
    c.formal_nfd.push_back(nfd(c.formal.back()));
    c.codes_old.push_back({p->code, d->code, u.code, "Số 12 Lê Lợi"});
  }
  auto cases = read_csv(root / "tests/data/address_cases.csv");
  int kind = col(cases[0], "kind"), input = col(cases[0], "input");
  for (size_t i = 1; i < cases.size(); ++i) {
    const auto& r = cases[i];
    if (r.size() <= static_cast<size_t>(std::max(kind, input))) continue;
    if (r[static_cast<size_t>(kind)] == "text" && !r[static_cast<size_t>(input)].empty()) c.cases_text.push_back(r[static_cast<size_t>(input)]);
  }
  auto qs = read_csv(root / "tests/data/unit_search_cases.csv");
  int q = col(qs[0], "query"), as_of = col(qs[0], "as_of"), level = col(qs[0], "level");
  for (size_t i = 1; i < qs.size(); ++i) {
    const auto& r = qs[i];
    std::string a = r[static_cast<size_t>(as_of)];
    c.queries.push_back({r[static_cast<size_t>(q)], a.empty() ? g_today : a, r[static_cast<size_t>(level)]});
  }
  if (!generated.empty() && fs::exists(generated / "addresses_text.csv") && fs::exists(generated / "addresses_codes.csv")) {
    auto t = read_csv(generated / "addresses_text.csv", kGeneratedRows, &c.generated_text_csv);
    int a = col(t[0], "address");
    for (size_t i = 1; i < t.size(); ++i) c.generated_text.push_back(t[i][static_cast<size_t>(a)]);
    auto k = read_csv(generated / "addresses_codes.csv", kGeneratedRows, &c.generated_codes_csv);
    int pc = col(k[0], "province_code"), dc = col(k[0], "district_code"), cc = col(k[0], "commune_code"), sc = col(k[0], "street");
    for (size_t i = 1; i < k.size(); ++i) {
      const auto& r = k[i];
      c.generated_codes.push_back({r[static_cast<size_t>(pc)], r[static_cast<size_t>(dc)], r[static_cast<size_t>(cc)], r[static_cast<size_t>(sc)]});
    }
  }
}

// ---- folding -------------------------------------------------------------------------------------

icu::Transliterator& icu_folder() {
  static std::unique_ptr<icu::Transliterator> t = [] {
    UErrorCode err = U_ZERO_ERROR;
    UParseError perr;
    std::unique_ptr<icu::Transliterator> tr(
        icu::Transliterator::createFromRules("bench-fold", icu::UnicodeString::fromUTF8(kFoldRules), UTRANS_FORWARD, perr, err));
    if (U_FAILURE(err) || !tr) throw std::runtime_error("ICU transliterator unavailable");
    return tr;
  }();
  return *t;
}

std::string icu_fold(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  icu_folder().transliterate(u);
  std::string out;
  u.toUTF8String(out);
  return out;
}

size_t bytes_of(const std::vector<std::string>& v) {
  size_t n = 0;
  for (const auto& s : v) n += s.size();
  return n;
}

// Strings where the fast path and the transliterator disagree (should be 0).
size_t mismatches(const std::vector<std::string>& v) {
  size_t n = 0;
  for (const auto& s : v)
    if (text::fold(s) != icu_fold(s)) {
      if (n < 3) std::fprintf(stderr, "fold mismatch: \"%s\": fast \"%s\", ICU \"%s\"\n", s.c_str(), text::fold(s).c_str(), icu_fold(s).c_str());
      ++n;
    }
  return n;
}

void fold_bench(benchmark::State& st, const std::vector<std::string>* corpus, bool icu) {
  size_t i = 0, bytes = 0;
  const auto& v = *corpus;
  for (auto _ : st) {
    const std::string& s = v[i];
    if (++i == v.size()) i = 0;
    bytes += s.size();
    if (icu) benchmark::DoNotOptimize(icu_fold(s));
    else benchmark::DoNotOptimize(text::fold(s));
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()));
  st.SetBytesProcessed(static_cast<int64_t>(bytes));
  st.counters["avg_bytes"] = static_cast<double>(bytes_of(v)) / static_cast<double>(v.size());
  if (icu) st.counters["mismatches"] = static_cast<double>(mismatches(v));
}

void tone_key_bench(benchmark::State& st, const std::vector<std::string>* corpus) {
  size_t i = 0;
  const auto& v = *corpus;
  for (auto _ : st) {
    benchmark::DoNotOptimize(text::tone_key(v[i]));
    if (++i == v.size()) i = 0;
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()));
}

// ---- conversion and search -----------------------------------------------------------------------

void convert_text_bench(benchmark::State& st, const std::vector<std::string>* corpus) {
  size_t i = 0, converted = 0;
  const auto& v = *corpus;
  for (auto _ : st) {
    auto c = g_index->convert(std::string_view(v[i]), g_today);
    converted += c.status == "converted";
    benchmark::DoNotOptimize(c);
    if (++i == v.size()) i = 0;
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()));
  st.counters["converted_share"] = static_cast<double>(converted) / static_cast<double>(st.iterations());
}

void convert_codes_bench(benchmark::State& st, const std::vector<units::AddressCodes>* corpus) {
  size_t i = 0, converted = 0;
  const auto& v = *corpus;
  for (auto _ : st) {
    auto c = g_index->convert(v[i], g_today);
    converted += c.status == "converted";
    benchmark::DoNotOptimize(c);
    if (++i == v.size()) i = 0;
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()));
  st.counters["converted_share"] = static_cast<double>(converted) / static_cast<double>(st.iterations());
}

void search_bench(benchmark::State& st) {
  size_t i = 0, hits = 0;
  const auto& v = g_corpus.queries;
  for (auto _ : st) {
    const auto& q = v[i];
    auto h = g_index->search(q.q, q.as_of, q.level, 10);
    hits += !h.empty();
    benchmark::DoNotOptimize(h);
    if (++i == v.size()) i = 0;
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()));
  st.counters["queries"] = static_cast<double>(v.size());
  st.counters["hit_share"] = static_cast<double>(hits) / static_cast<double>(st.iterations());
}

// convert_csv over the whole in-memory CSV per iteration; reported per row.
void csv_convert_bench(benchmark::State& st, const std::string* csv_text, bool text) {
  units::CsvOptions o;
  if (text) o.column = "address";
  else {
    o.province_column = "province_code";
    o.district_column = "district_code";
    o.commune_column = "commune_code";
    o.street_column = "street";
  }
  o.as_of = g_today;
  size_t rows = 0;
  for (auto _ : st) {
    std::istringstream in(*csv_text);
    std::ostringstream out;
    auto sum = units::convert_csv(*g_index, in, out, o);
    rows += sum.rows;
    benchmark::DoNotOptimize(out.str().size());
  }
  st.SetItemsProcessed(static_cast<int64_t>(rows));
  st.counters["ns_per_row"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Only the CSV part of a file row: read the record, write it back with nine more fields.
void csv_read_format_bench(benchmark::State& st, const std::string* csv_text) {
  size_t rows = 0;
  for (auto _ : st) {
    std::istringstream in(*csv_text);
    std::ostringstream out;
    csv::Reader r(in);
    std::vector<std::string> row;
    std::string line;
    while (r.next(row)) {
      for (const char* f : {"converted", "Số 12 Lê Lợi, Phường Ba Đình, Thành phố Hà Nội", "00004", "Phường Ba Đình", "01",
                            "Thành phố Hà Nội", "1.00", "", ""})
        row.emplace_back(f);
      line = csv::format_row(row);
      line += '\n';
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
      ++rows;
    }
    benchmark::DoNotOptimize(out.str().size());
  }
  st.SetItemsProcessed(static_cast<int64_t>(rows));
  st.counters["ns_per_row"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// --slowest=N: times every generated text row alone (3 passes, best time per row), prints the
// distribution and the N slowest inputs to stderr, and exits: where the time of the text path goes.
int slowest(size_t n) {
  const auto& v = g_corpus.generated_text.empty() ? g_corpus.cases_text : g_corpus.generated_text;
  std::vector<std::pair<double, size_t>> t(v.size(), {1e30, 0});
  for (int pass = 0; pass < 3; ++pass)
    for (size_t i = 0; i < v.size(); ++i) {
      auto t0 = std::chrono::steady_clock::now();
      auto c = g_index->convert(std::string_view(v[i]), g_today);
      benchmark::DoNotOptimize(c);
      double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
      t[i] = {std::min(t[i].first, ns), i};
    }
  double total = 0;
  for (const auto& x : t) total += x.first;
  std::sort(t.begin(), t.end(), std::greater<>());
  auto pct = [&](double q) { return t[static_cast<size_t>((1.0 - q) * static_cast<double>(t.size() - 1))].first / 1000.0; };
  double top = 0;
  for (size_t i = 0; i < t.size() / 20; ++i) top += t[i].first;
  std::fprintf(stderr, "%zu rows: mean %.1f us, p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us; the slowest 5%% take %.0f%% of the time\n",
               t.size(), total / static_cast<double>(t.size()) / 1000.0, pct(0.5), pct(0.9), pct(0.99), t.front().first / 1000.0,
               100.0 * top / total);
  for (size_t i = 0; i < std::min(n, t.size()); ++i) {
    auto c = g_index->convert(std::string_view(v[t[i].second]), g_today);
    std::fprintf(stderr, "%9.1f us  %-10s %s\n", t[i].first / 1000.0, c.status.c_str(), v[t[i].second].c_str());
  }
  return 0;
}

std::string take_flag(int& argc, char** argv, const std::string& name) {
  std::string value;
  std::string prefix = "--" + name + "=";
  int w = 1;
  for (int r = 1; r < argc; ++r) {
    std::string a = argv[r];
    if (a.rfind(prefix, 0) == 0) value = a.substr(prefix.size());
    else argv[w++] = argv[r];
  }
  argc = w;
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  std::string root = take_flag(argc, argv, "root");
  std::string generated = take_flag(argc, argv, "addresses-dir");
  std::string slow = take_flag(argc, argv, "slowest");
  if (root.empty()) root = LT_SOURCE_DIR;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  // A throwaway application on a temporary SQLite database: migrations load the real map.
  spdlog::set_level(spdlog::level::warn);
  crypto::init();
  fs::path dir = fs::temp_directory_path() / ("lt-bench-address-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  int rc = 0;
  try {
    config::Config cfg;
    cfg.db = "sqlite:" + (dir / "bench.db").string();
    cfg.data_dir = (dir / "data").string();
    cfg.password_hash_cost = "min";
    cfg.resolve_paths(root);
    g_app = std::make_unique<app::App>(cfg);
    g_app->open();
    g_index = g_app->units->addresses();
    g_today = units::today_vn();
    load_corpora(root, generated);
    std::fprintf(stderr,
                 "address bench: %zu unit versions; corpora: %zu names, %zu formal addresses, %zu case addresses, %zu "
                 "generated text rows, %zu generated code rows, %zu search queries; as_of %s\n",
                 g_index->map().all().size(), g_corpus.names.size(), g_corpus.formal.size(), g_corpus.cases_text.size(),
                 g_corpus.generated_text.size(), g_corpus.generated_codes.size(), g_corpus.queries.size(), g_today.c_str());

    if (!slow.empty()) {
      rc = slowest(static_cast<size_t>(std::stoul(slow)));
      g_index.reset();
      g_app.reset();
      fs::remove_all(dir);
      return rc;
    }
    Corpus& c = g_corpus;
    benchmark::RegisterBenchmark("fold/fast/names", fold_bench, &c.names, false);
    benchmark::RegisterBenchmark("fold/icu/names", fold_bench, &c.names, true);
    benchmark::RegisterBenchmark("fold/fast/formal", fold_bench, &c.formal, false);
    benchmark::RegisterBenchmark("fold/icu/formal", fold_bench, &c.formal, true);
    benchmark::RegisterBenchmark("fold/fast/formal_nfd", fold_bench, &c.formal_nfd, false);
    benchmark::RegisterBenchmark("fold/icu/formal_nfd", fold_bench, &c.formal_nfd, true);
    benchmark::RegisterBenchmark("tone_key/names", tone_key_bench, &c.names);
    benchmark::RegisterBenchmark("convert/text/formal", convert_text_bench, &c.formal);
    benchmark::RegisterBenchmark("convert/text/cases", convert_text_bench, &c.cases_text);
    if (!c.generated_text.empty()) benchmark::RegisterBenchmark("convert/text/generated", convert_text_bench, &c.generated_text);
    benchmark::RegisterBenchmark("convert/codes/old", convert_codes_bench, &c.codes_old);
    if (!c.generated_codes.empty()) benchmark::RegisterBenchmark("convert/codes/generated", convert_codes_bench, &c.generated_codes);
    benchmark::RegisterBenchmark("search/cases", search_bench);
    if (!c.generated_text_csv.empty()) {
      benchmark::RegisterBenchmark("csv/convert/text/generated", csv_convert_bench, &c.generated_text_csv, true)->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark("csv/convert/codes/generated", csv_convert_bench, &c.generated_codes_csv, false)->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark("csv/read_format/codes/generated", csv_read_format_bench, &c.generated_codes_csv)->Unit(benchmark::kMillisecond);
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "address bench: %s\n", e.what());
    rc = 1;
  }
  g_index.reset();
  g_app.reset();
  std::error_code ec;
  fs::remove_all(dir, ec);
  return rc;
}
