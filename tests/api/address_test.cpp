// Unit search and address conversion against the real server, driven by the case files in
// tests/data/ (README there): every case is checked, and every failing case is printed.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "platform/crypto/crypto.hpp"
#include "platform/util/csv.hpp"
#include "support/server.hpp"

using namespace lt;
namespace bj = boost::json;

namespace {

std::vector<std::map<std::string, std::string>> read_cases(const std::string& name) {
  std::ifstream in(std::string(LT_SOURCE_DIR) + "/tests/data/" + name, std::ios::binary);
  csv::Reader r(in);
  std::vector<std::string> header, row;
  std::vector<std::map<std::string, std::string>> out;
  if (!r.next(header)) return out;
  while (r.next(row)) {
    std::map<std::string, std::string> m;
    for (size_t i = 0; i < header.size() && i < row.size(); ++i) m[header[i]] = row[i];
    out.push_back(std::move(m));
  }
  return out;
}

std::string str_or_empty(const bj::value& v) { return v.is_string() ? std::string(v.as_string()) : std::string(); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::istringstream in(text);
  csv::Reader r(in);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> f;
  while (r.next(f)) rows.push_back(f);
  return rows;
}

}  // namespace

class Addresses : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    crypto::init();
    srv = new test::Server(test::Server::Options{});
    token = new std::string(srv->login("chuyenvien"));
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(srv->stop(), 0) << srv->log();
    delete srv;
    delete token;
  }
  static test::Reply post_json(const std::string& path, const std::string& body) {
    return srv->call("POST", path, body, {{"Authorization", "Bearer " + *token}, {"Content-Type", "application/json"}});
  }
  static test::Server* srv;
  static std::string* token;
};
test::Server* Addresses::srv = nullptr;
std::string* Addresses::token = nullptr;

TEST_F(Addresses, ConversionCasesFromFile) {
  auto cases = read_cases("address_cases.csv");
  ASSERT_GE(cases.size(), 300u);
  // All cases in one batch request (the batch route is the one that carries the most).
  bj::array items;
  for (const auto& c : cases) {
    if (c.at("kind") == "text") {
      items.push_back(bj::object{{"address", c.at("input")}});
    } else {
      std::string in = c.at("input") + "//";
      size_t a = in.find('/'), b = in.find('/', a + 1);
      items.push_back(bj::object{{"province_code", in.substr(0, a)},
                                 {"district_code", in.substr(a + 1, b - a - 1)},
                                 {"commune_code", in.substr(b + 1, in.find('/', b + 1) - b - 1)}});
    }
  }
  auto r = post_json("/api/v1/addresses/convert-batch", bj::serialize(bj::object{{"items", items}}));
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  auto res = r.json().at("items").as_array();
  ASSERT_EQ(res.size(), cases.size());
  size_t failures = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const auto& x = res[i].as_object();
    std::vector<std::string> errs;
    auto check = [&](const std::string& col, const std::string& got) {
      if (!c.at(col).empty() && c.at(col) != got) errs.push_back(col + ": got '" + got + "'");
    };
    check("expect_status", str_or_empty(x.at("status")));
    check("expect_province_code", str_or_empty(x.at("new_province_code")));
    check("expect_commune_code", str_or_empty(x.at("new_commune_code")));
    std::string cands;
    for (const auto& k : x.at("candidates").as_array()) cands += (cands.empty() ? "" : "|") + str_or_empty(k.at("code"));
    check("expect_candidates", cands);
    if (!c.at("expect_street").empty()) {
      std::string want = c.at("expect_street") == "-" ? "" : c.at("expect_street");
      if (str_or_empty(x.at("street")) != want) errs.push_back("street: got '" + str_or_empty(x.at("street")) + "'");
    }
    double conf = x.at("confidence").to_number<double>();
    if (!c.at("min_confidence").empty() && conf < std::stod(c.at("min_confidence")) - 1e-9)
      errs.push_back("confidence " + std::to_string(conf) + " < " + c.at("min_confidence"));
    if (!c.at("max_confidence").empty() && conf > std::stod(c.at("max_confidence")) + 1e-9)
      errs.push_back("confidence " + std::to_string(conf) + " > " + c.at("max_confidence"));
    if (!errs.empty()) {
      ++failures;
      std::string all;
      for (const auto& e : errs) all += e + "; ";
      ADD_FAILURE() << "case " << i + 2 << " (" << c.at("source") << "): " << c.at("input").substr(0, 120) << "\n  " << all
                    << "\n  reason: " << str_or_empty(x.at("reason"));
    }
  }
  EXPECT_EQ(failures, 0u);
}

TEST_F(Addresses, SearchCasesFromFile) {
  auto cases = read_cases("unit_search_cases.csv");
  ASSERT_GE(cases.size(), 100u);
  auto encode = [](const std::string& s) {
    std::string o;
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char ch : s) {
      if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
        o += static_cast<char>(ch);
      } else {
        o += '%';
        o += hex[ch >> 4];
        o += hex[ch & 15];
      }
    }
    return o;
  };
  size_t failures = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    std::string url = "/api/v1/units/search?q=" + encode(c.at("query"));
    if (!c.at("as_of").empty()) url += "&as_of=" + c.at("as_of");
    if (!c.at("level").empty()) url += "&level=" + c.at("level");
    auto r = srv->get(url);
    std::string got;
    if (r.status == 200 && !r.json().at("items").as_array().empty()) got = str_or_empty(r.json().at("items").as_array()[0].at("code"));
    if (got != c.at("expect_code")) {
      ++failures;
      ADD_FAILURE() << "search case " << i + 2 << " (" << c.at("source") << "): '" << c.at("query") << "' as_of=" << c.at("as_of")
                    << " level=" << c.at("level") << ": want " << c.at("expect_code") << ", got '" << got << "' " << r.body.substr(0, 300);
    }
  }
  EXPECT_EQ(failures, 0u);
}

TEST_F(Addresses, OneAddressIsPublicAndExplainsItself) {
  auto r = srv->call("POST", "/api/v1/addresses/convert",
                     R"({"address": "Số 5 phố Nghĩa Dũng, phường Phúc Xá, quận Ba Đình, Hà Nội"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto x = r.json().at("result");
  EXPECT_EQ(x.at("status").as_string(), "converted");
  EXPECT_EQ(x.at("new_commune_code").as_string(), "00097");
  EXPECT_EQ(x.at("new_address").as_string(), "Số 5 phố Nghĩa Dũng, Phường Hồng Hà, Thành phố Hà Nội");
  EXPECT_EQ(x.at("confidence").to_number<double>(), 1.0);
  EXPECT_EQ(x.at("matched").at("district").at("name").as_string(), "Quận Ba Đình");
  // Before the reform the same address is already current.
  r = srv->call("POST", "/api/v1/addresses/convert", R"({"address": "phường Phúc Xá, quận Ba Đình, Hà Nội", "as_of": "2025-06-30"})");
  EXPECT_EQ(r.json().at("result").at("new_commune_code").as_string(), "00001");
  // Bad input: a clear 400 naming the field.
  r = srv->call("POST", "/api/v1/addresses/convert", R"({"address": 12})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_field(), "address");
  r = srv->call("POST", "/api/v1/addresses/convert", R"({"address": "x", "as_of": "2025-02-30"})");
  EXPECT_EQ(r.error_field(), "as_of");
  r = srv->call("POST", "/api/v1/addresses/convert", R"({})");
  EXPECT_EQ(r.error_field(), "address");
  r = srv->call("POST", "/api/v1/addresses/convert", R"({"address": "x", "colour": "red"})");
  EXPECT_EQ(r.error_field(), "colour");
}

TEST_F(Addresses, BatchTakesTenThousandAndRefusesMore) {
  bj::array items;
  for (int i = 0; i < 10000; ++i) items.push_back(bj::string(i % 2 ? "P.5, Q.3, TP. HCM" : "Phường Trúc Bạch, Quận Ba Đình, Hà Nội"));
  EXPECT_EQ(srv->call("POST", "/api/v1/addresses/convert-batch", bj::serialize(bj::object{{"items", items}})).status, 401);
  auto r = post_json("/api/v1/addresses/convert-batch", bj::serialize(bj::object{{"items", items}}));
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(r.json().at("summary").at("converted").as_int64(), 10000);
  EXPECT_EQ(r.json().at("items").as_array()[9999].at("new_commune_code").as_string(), "27154");
  items.push_back(bj::string("one too many"));
  r = post_json("/api/v1/addresses/convert-batch", bj::serialize(bj::object{{"items", items}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_code(), "too_many_items");
  // A bad item names its place.
  r = post_json("/api/v1/addresses/convert-batch", R"({"items": ["Hà Nội", {"address": 5}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_field(), "items[1].address");
}

TEST_F(Addresses, CsvUploadKeepsEveryRowInOrder) {
  std::string csv =
      "id,dia_chi\n"
      "1,\"Số 1 Hàng Bún, Phường Trúc Bạch, Quận Ba Đình, Thành phố Hà Nội\"\n"
      "2,\"broken quote, Hà Nội\n"
      "3,Phường Dịch Vọng Hậu - Quận Cầu Giấy - Hà Nội\n"
      "4,\xff\xfe not utf-8\n"
      "5,\n";
  auto r = srv->call("POST", "/api/v1/addresses/convert-csv?column=dia_chi", csv,
                     {{"Authorization", "Bearer " + *token}, {"Content-Type", "text/csv"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-conversion-summary"), "converted=1;ambiguous=1;unresolved=3");
  auto rows = parse_csv(r.body);
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"id", "dia_chi", "status", "new_address", "new_commune_code", "new_commune_name",
                                                "new_province_code", "new_province_name", "confidence", "candidates", "reason"}));
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i][0], std::to_string(i));
  EXPECT_EQ(rows[1][4], "00004");
  EXPECT_EQ(rows[2][2], "unresolved");
  EXPECT_EQ(rows[3][2], "ambiguous");
  EXPECT_EQ(rows[3][9], "00160|00166");
  EXPECT_EQ(rows[4][1], "\xff\xfe not utf-8");  // the original bytes, untouched
  EXPECT_EQ(rows[4][2], "unresolved");
  // An unknown column is a 400 naming it.
  r = srv->call("POST", "/api/v1/addresses/convert-csv?column=address", csv,
                {{"Authorization", "Bearer " + *token}, {"Content-Type", "text/csv"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_code(), "unknown_column");
}

TEST_F(Addresses, CliConvertsAFileOnAFreshDatabase) {
  std::string dir = srv->dir();
  std::string in = dir + "/in.csv", out = dir + "/out.csv";
  {
    std::ofstream f(in, std::ios::binary);
    f << "ma,address,ghi_chu\n"
         "a,\"Số 12 ngõ 34 Trần Thái Tông, phường Dịch Vọng Hậu, quận Cầu Giấy, Hà Nội\",x\n"
         "b,\"123 Lê Lợi P.Bến Nghé Q.1 TP.HCM\",\"giữ, nguyên\"\n"
         "c,\"unterminated,y\n"
         "d,qwerty asdf,z\n"
         "e,\"Xa Truc Bach, Ba Dinh\",w\n";
  }
  std::string fresh = "sqlite:" + dir + "/fresh-convert.db";
  std::string stdout_text;
  int rc = srv->cli({"convert-addresses", "--input", in, "--output", out, "--column", "address", "--db", fresh}, &stdout_text, false);
  ASSERT_EQ(rc, 0) << stdout_text;
  EXPECT_NE(stdout_text.find("converted: 2"), std::string::npos) << stdout_text;
  EXPECT_NE(stdout_text.find("ambiguous: 1"), std::string::npos) << stdout_text;
  EXPECT_NE(stdout_text.find("unresolved: 2"), std::string::npos) << stdout_text;
  EXPECT_NE(stdout_text.find("malformed_row: 1"), std::string::npos) << stdout_text;
  auto rows = parse_csv(read_file(out));
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[2][2], "giữ, nguyên");  // original columns untouched
  EXPECT_EQ(rows[2][3], "converted");
  EXPECT_EQ(rows[2][4], "123 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh");
  EXPECT_EQ(rows[3][3], "unresolved");
  EXPECT_EQ(rows[5][5], "00004");
  // A missing column stops before writing anything useful, with exit code 2.
  rc = srv->cli({"convert-addresses", "--input", in, "--output", out, "--column", "nope", "--db", fresh}, &stdout_text, false);
  EXPECT_EQ(rc, 2);
}

TEST_F(Addresses, RepeatedUnitsInAFileKeepEachRowsOwnStreet) {
  // The converter caches by units; every row must still carry its own street.
  std::string csv = "address\n";
  for (int i = 1; i <= 5; ++i) csv += "\"Số " + std::to_string(i) + " Hàng Bún, Phường Trúc Bạch, Quận Ba Đình, Hà Nội\"\n";
  csv += "\"Phường Trúc Bạch, Quận Ba Đình, Hà Nội\"\n";
  auto r = srv->call("POST", "/api/v1/addresses/convert-csv?column=address", csv,
                     {{"Authorization", "Bearer " + *token}, {"Content-Type", "text/csv"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto rows = parse_csv(r.body);
  ASSERT_EQ(rows.size(), 7u);
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(rows[static_cast<size_t>(i)][2], "Số " + std::to_string(i) + " Hàng Bún, Phường Ba Đình, Thành phố Hà Nội");
    EXPECT_EQ(rows[static_cast<size_t>(i)][3], "00004");
  }
  EXPECT_EQ(rows[6][2], "Phường Ba Đình, Thành phố Hà Nội");
  std::string codes = "tinh,huyen,xa,so_nha\n01,001,00004,Số 1\n01,001,00004,\n01,001,00004,Số 3\n";
  r = srv->call("POST", "/api/v1/addresses/convert-csv?province_column=tinh&district_column=huyen&commune_column=xa&street_column=so_nha",
                codes, {{"Authorization", "Bearer " + *token}, {"Content-Type", "text/csv"}});
  ASSERT_EQ(r.status, 200) << r.body;
  rows = parse_csv(r.body);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1][5], "Số 1, Phường Ba Đình, Thành phố Hà Nội");
  EXPECT_EQ(rows[2][5], "Phường Ba Đình, Thành phố Hà Nội");
  EXPECT_EQ(rows[3][5], "Số 3, Phường Ba Đình, Thành phố Hà Nội");
  EXPECT_EQ(rows[3][10], "1.00");
}
