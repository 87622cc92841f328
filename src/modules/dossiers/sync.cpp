// National public-service portal synchronisation records (docs/PROCEDURES.md, "Portal
// synchronisation"; field names as the portal's interface uses them, VIETNAM.md).
#include <boost/url/parse.hpp>

#include "modules/dossiers/impl.hpp"
#include "platform/http/client.hpp"
#include "platform/util/time.hpp"

namespace lt::dossiers {

namespace {

std::string title_of(const std::string& role) {
  if (role == "one-stop-officer") return "Cán bộ tiếp nhận và trả kết quả";
  if (role == "specialist") return "Chuyên viên";
  if (role == "leader") return "Lãnh đạo";
  if (role == "citizen" || role == "business") return "Người nộp hồ sơ";
  return role;
}

int64_t flag(const bj::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_bool() && v->as_bool() ? 1 : 0;
}

std::string str_of(const bj::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

bj::object Service::Impl::portal_dossier(const Dossier& d) const {
  auto p = catalog.get(d.procedure_code);
  bj::array files, fees, supplements, results;
  for (const auto& cv : d.components) {
    const auto& c = cv.as_object();
    files.push_back({{"MaThanhPhanHoSo", str_of(c, "code")},
                     {"TenTepDinhKem", str_of(c, "name")},
                     {"TepDinhKemId", str_of(c, "sha256")},
                     {"DuocSoHoa", flag(c, "digitised")},
                     {"DuocLayTuKhoDMQG", flag(c, "reused")}});
  }
  if (p)
    for (const auto& f : p->fees)
      fees.push_back({{"MaPhiLePhi", f.code}, {"TenPhiLePhi", f.name}, {"Gia", f.amount}, {"LoaiPhiLePhi", f.unit}, {"HinhThucThu", "1"}});
  if (d.fee_request)
    fees.push_back({{"MaPhiLePhi", "NVTC"}, {"TenPhiLePhi", str_of(*d.fee_request, "reason")},
                    {"Gia", d.fee_request->at("amount").as_int64()}, {"LoaiPhiLePhi", "per_dossier"}, {"HinhThucThu", "1"}});
  if (d.supplement_request) {
    const auto& s = *d.supplement_request;
    supplements.push_back({{"SoLanBoSung", s.at("number").as_int64()},
                           {"NoiDungBoSung", str_of(s, "reason")},
                           {"NguoiYeuCauBoSung", str_of(s, "by")},
                           {"NgayYeuCauBoSung", portal_time(str_of(s, "at"))},
                           {"NgayBoSung", portal_time(str_of(s, "answered_at"))}});
  }
  if (d.result) {
    const auto& r = *d.result;
    results.push_back({{"TenGiayTo", str_of(r, "name")},
                       {"MaGiayTo", str_of(r, "doc_type")},
                       {"GiayToId", str_of(r, "pdf_sha256")},
                       {"DuongDanTepTinKetQua", str_of(r, "verify_url")}});
  }
  return {{"MaHoSo", d.code},
          {"MaTTHC", d.procedure_code},
          {"TenTTHC", p ? p->name : ""},
          {"MaLinhVuc", p ? p->field_code : ""},
          {"TenLinhVuc", p ? p->field_name : ""},
          {"ChuHoSo", d.applicant_name},
          {"LoaiDoiTuong", std::to_string(d.applicant_kind)},
          {"MaDoiTuong", d.applicant_key},
          {"Email", d.email},
          {"SoDienThoai", d.phone},
          {"TrichYeuHoSo", d.summary},
          {"NgayNopHoSo", portal_time(d.submitted_at)},
          {"NgayTiepNhan", portal_time(d.received_at)},
          {"NgayHenTra", portal_time(d.due_at)},
          {"TrangThaiHoSo", std::to_string(d.status)},
          {"NgayTra", portal_time(d.returned_at)},
          {"HinhThuc", "0"},
          {"NgayKetThucXuLy", portal_time(d.finished_at)},
          {"DonViXuLy", agency_name(d.current_agency)},
          {"MaDonViXuLy", d.current_agency},
          {"KenhThucHien", std::to_string(d.channel)},
          {"TaiLieuNop", std::move(files)},
          {"DanhSachLePhi", std::move(fees)},
          {"DanhSachHoSoBoSung", std::move(supplements)},
          {"DanhSachGiayToKetQua", std::move(results)},
          {"DuocThanhToanTrucTuyen", d.paid_online ? 1 : 0}};
}

bj::object Service::Impl::portal_progress(const Dossier& d, const Change& ch, const http::Principal* who) const {
  std::string step_due = d.due_at;
  for (const auto& s : d.steps)
    if (str_of(s.as_object(), "step") == d.step) step_due = str_of(s.as_object(), "due");
  return {{"MaHoSo", d.code},
          {"NguoiXuLy", who ? who->display_name : "Hệ thống"},
          {"ChucDanh", who ? title_of(who->role) : ""},
          {"ThoiDiemXuLy", portal_time(d.updated_at)},
          {"PhongBanXuLy", who && !who->agency_code.empty() ? agency_name(who->agency_code) : ""},
          {"NoiDungXuLy", ch.note},
          {"TrangThai", std::to_string(d.status)},
          {"NgayBatDau", portal_time(d.updated_at)},
          {"NgayKetThucTheoQuyDinh", portal_time(step_due)}};
}

std::function<void(const std::string&, const std::string&, int64_t)> Service::portal_sender() {
  Options o = opts_;
  return [o](const std::string& topic, const std::string& payload, int64_t event_id) {
    if (o.portal_url.empty()) return;  // no portal configured: nothing to deliver
    auto u = boost::urls::parse_uri(o.portal_url);
    if (!u || u->scheme() != "http") throw std::runtime_error("portal_url must be an http:// URL (TLS through a local proxy)");
    std::string host(u->host());
    uint16_t port = u->has_port() ? static_cast<uint16_t>(std::stoi(std::string(u->port()))) : 80;
    std::string base(u->encoded_path());
    if (base.ends_with("/")) base.pop_back();
    std::string path = base + (topic == "portal.progress" ? "/progress" : "/dossiers");
    http::Client client(host, port, std::chrono::seconds(10));
    std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"},
                                                                   {"X-Event-Id", std::to_string(event_id)}};
    if (!o.portal_token.empty()) headers.emplace_back("Authorization", "Bearer " + o.portal_token);
    auto r = client.request("POST", path, payload, headers);
    if (r.status < 200 || r.status >= 300) throw std::runtime_error("portal answered " + std::to_string(r.status));
  };
}

}  // namespace lt::dossiers
