// Results (signed JSON + PDF with a QR code), receipts, apology slips, public lookup and
// verification (docs/PROCEDURES.md, "Results").
#include <algorithm>

#include "modules/dossiers/impl.hpp"
#include "platform/crypto/crypto.hpp"
#include "platform/pdf/pdf.hpp"
#include "platform/util/error.hpp"
#include "platform/util/text.hpp"
#include "platform/util/time.hpp"

namespace lt::dossiers {

namespace {

using Line = pdf::Line;
using Align = pdf::Line::Align;

std::vector<Line> heading(const std::string& agency) {
  return {{agency, 11, true, Align::left},
          {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, true, Align::center},
          {"Độc lập - Tự do - Hạnh phúc", 12, true, Align::center},
          {"", 11, false, Align::left}};
}

std::string str_of(const bj::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string money(int64_t v) {
  std::string s = std::to_string(v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += '.';
    out += s[i];
  }
  return out + " đồng";
}

}  // namespace

std::string Service::Impl::verify_url(const Dossier& d) const {
  std::string sig = d.result ? str_of(*d.result, "signature") : "";
  return opts.public_url + "/xac-thuc?ma=" + d.code + "&s=" + sig;
}

Service::Impl::Issued Service::Impl::issue_result(Dossier& d, const catalog::Procedure& p, const http::Principal& leader) const {
  std::string signer = "agency:" + d.current_agency;
  keys.owner_key(signer);  // created now if new: never inside the caller's transaction
  std::string issued_at = timeutil::now_iso();
  bj::object content;
  for (const auto& f : p.form_fields)
    if (auto* v = d.form.if_contains(f.name); v && v->is_object() && v->as_object().contains("value")) {
      const auto& val = v->as_object().at("value");
      content[f.label] = val.is_string() ? bj::value(val.as_string()) : bj::value(bj::serialize(val));
    }
  bj::object doc{{"type", "lienthong.result.v1"},
                 {"dossier_code", d.code},
                 {"procedure_code", p.code},
                 {"procedure_name", p.name},
                 {"result_doc_type", p.result_doc_type},
                 {"result_name", p.result_name},
                 {"applicant", {{"kind", d.applicant_kind == 1 ? "citizen" : "business"}, {"id", d.applicant_key}, {"name", d.applicant_name}}},
                 {"content", std::move(content)},
                 {"issued_by", {{"code", d.current_agency}, {"name", agency_name(d.current_agency)}}},
                 {"approved_by", leader.display_name},
                 {"issued_at", issued_at}};
  std::string canonical = bj::serialize(doc);
  auto sig = keys.sign_as(signer, canonical);
  std::string sig64 = crypto::base64url(sig.sig);
  bj::object signed_doc{{"document", doc}, {"signature", {{"alg", "EdDSA"}, {"kid", sig.kid}, {"signer", signer}, {"value", sig64}}}};
  Issued out;
  out.json_bytes = bj::serialize(signed_doc);
  d.result = bj::object{{"name", p.result_name}, {"doc_type", p.result_doc_type}, {"issued_at", issued_at}, {"kid", sig.kid},
                        {"signer", signer},      {"signature", sig64}};
  std::string url = verify_url(d);
  (*d.result)["verify_url"] = url;

  pdf::Page page;
  page.lines = heading(agency_name(d.current_agency));
  page.lines.push_back({p.result_name, 16, true, Align::center});
  page.lines.push_back({"", 11, false, Align::left});
  page.lines.push_back({"Mã hồ sơ: " + d.code, 11, false, Align::left});
  page.lines.push_back({"Thủ tục: " + p.name + " (" + p.code + ")", 11, false, Align::left});
  page.lines.push_back({std::string(d.applicant_kind == 1 ? "Người yêu cầu: " : "Tổ chức yêu cầu: ") + d.applicant_name, 11, true, Align::left});
  page.lines.push_back({std::string(d.applicant_kind == 1 ? "Số định danh cá nhân: " : "Mã số doanh nghiệp: ") + d.applicant_key, 11, false, Align::left});
  for (const auto& [label, value] : doc.at("content").as_object())
    page.lines.push_back({std::string(label) + ": " + std::string(value.as_string()), 11, false, Align::left});
  page.lines.push_back({"", 11, false, Align::left});
  page.lines.push_back({"Ngày cấp: " + local_display(issued_at, false), 11, false, Align::right});
  page.lines.push_back({"Người phê duyệt: " + leader.display_name, 11, true, Align::right});
  page.lines.push_back({"", 11, false, Align::left});
  page.lines.push_back({"Văn bản điện tử được ký bằng khóa của " + agency_name(d.current_agency) + " (mã khóa " + sig.kid +
                            "). Quét mã QR hoặc gửi tệp JSON kết quả tới " + opts.public_url + "/xac-thuc để kiểm tra.",
                        9, false, Align::left});
  page.qr_payload = url;
  page.qr_caption = "Quét để xác thực / Scan to verify";
  out.pdf_bytes = pdf::render({p.result_name + " — " + d.code, agency_name(d.current_agency), {page}});
  out.json_sha = blobs.put(out.json_bytes);
  out.pdf_sha = blobs.put(out.pdf_bytes);
  (*d.result)["json_sha256"] = out.json_sha;
  (*d.result)["pdf_sha256"] = out.pdf_sha;
  // The person's data store keeps results of applicants known to the registries.
  (*d.result)["in_data_store"] = registry.get(d.applicant_kind == 1 ? "citizens" : "enterprises", d.applicant_key).has_value();
  return out;
}

void Service::Impl::store_result(db::Conn& c, const Dossier& d, const catalog::Procedure& p, const Issued& r, const http::Request& req) const {
  if (!d.result || !d.result->at("in_data_store").as_bool()) return;
  registry::NewDocument nd;
  nd.owner_kind = d.applicant_kind == 1 ? "citizen" : "enterprise";
  nd.owner_key = d.applicant_key;
  nd.doc_type = p.result_doc_type;
  nd.title = p.result_name + " — " + d.code;
  nd.issued_by = d.current_agency;
  nd.issued_at = str_of(*d.result, "issued_at").substr(0, 10);
  nd.source = "result:" + p.code;
  nd.dossier_code = d.code;
  std::string actor = req.who().actor();
  nd.mime = "application/pdf";
  documents.add_in(c, nd, r.pdf_sha, static_cast<int64_t>(r.pdf_bytes.size()), actor, req.request_id);
  nd.mime = "application/json";
  nd.title = p.result_name + " (bản điện tử ký số) — " + d.code;
  documents.add_in(c, nd, r.json_sha, static_cast<int64_t>(r.json_bytes.size()), actor, req.request_id);
}

bj::object Service::verify_result(std::string_view bytes) {
  boost::system::error_code ec;
  bj::value v = bj::parse(bytes, ec);
  auto invalid = [](const std::string& why) { return bj::object{{"valid", false}, {"reason", why}}; };
  if (ec || !v.is_object()) return invalid("Tệp không phải JSON kết quả / Not a result JSON");
  const auto& o = v.as_object();
  auto* doc = o.if_contains("document");
  auto* sig = o.if_contains("signature");
  if (!doc || !doc->is_object() || !sig || !sig->is_object()) return invalid("Thiếu document hoặc signature / document or signature missing");
  std::string kid = str_of(sig->as_object(), "kid"), signer = str_of(sig->as_object(), "signer"), value = str_of(sig->as_object(), "value");
  auto raw = crypto::base64url_decode(value);
  if (!raw) return invalid("Chữ ký hỏng / Malformed signature");
  // The signer must be the issuing agency, and the key must be that agency's.
  std::string issuer = "agency:" + str_of(doc->as_object().contains("issued_by") && doc->as_object().at("issued_by").is_object()
                                              ? doc->as_object().at("issued_by").as_object()
                                              : bj::object(),
                                          "code");
  auto key = signer == issuer ? impl_->keys.owner_key(signer) : std::nullopt;
  if (!key || key->kid != kid) return invalid("Khóa ký không phải của cơ quan cấp / The key is not the issuing agency's");
  if (!impl_->keys.verify(kid, bj::serialize(doc->as_object()), *raw)) return invalid("Chữ ký không khớp nội dung / The signature does not match");
  // Still the result on record (a later correction would replace it).
  std::string code = str_of(doc->as_object(), "dossier_code");
  auto d = impl_->load(code);
  bool current = d && d->result && str_of(*d->result, "signature") == value;
  return {{"valid", current}, {"signature_valid", true}, {"current", current}, {"document", *doc},
          {"reason", current ? "" : "Kết quả không còn hiệu lực trong hệ thống / No longer the result on record"}};
}

bj::object Service::public_lookup(const std::string& code) {
  auto d = impl_->load(code);
  if (!d) throw ApiError::not_found("Không có hồ sơ này / No such dossier");
  auto p = impl_->catalog.get(d->procedure_code);
  auto opt = [](const std::string& s) { return s.empty() ? bj::value(nullptr) : bj::value(bj::string(s)); };
  return {{"code", d->code},
          {"procedure", p ? p->name : ""},
          {"status", {{"code", d->status}, {"name", status_name(d->status)}}},
          {"receiving_agency", impl_->agency_name(d->receiving_agency)},
          {"submitted_at", d->submitted_at},
          {"received_at", opt(d->received_at)},
          {"due_at", opt(d->due_at)},
          {"returned_at", opt(d->returned_at)},
          {"deadline", impl_->deadline_status(*d, timeutil::now_ms())},
          {"rated", d->rating.has_value()}};
}

std::string Service::result_pdf(const std::string& code) {
  auto d = impl_->load(code);
  if (!d || !d->result) throw ApiError::not_found("Hồ sơ chưa có kết quả / No result for this dossier");
  auto bytes = impl_->blobs.get(str_of(*d->result, "pdf_sha256"));
  if (!bytes) throw std::runtime_error("result file of " + code + " is missing");
  return *bytes;
}

std::string Service::receipt_pdf(const http::Request& req, const std::string& code) {
  Dossier d = impl_->visible(req, code);
  auto p = impl_->catalog.get(d.procedure_code);
  std::string agency = impl_->agency_name(d.receiving_agency);
  pdf::Page page;
  page.lines = heading(agency);
  page.lines.push_back({"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", 14, true, Align::center});
  page.lines.push_back({"Mã hồ sơ: " + d.code, 12, true, Align::center});
  page.lines.push_back({"", 11, false, Align::left});
  page.lines.push_back({"Người nộp hồ sơ: " + d.applicant_name, 11, true, Align::left});
  page.lines.push_back({std::string(d.applicant_kind == 1 ? "Số định danh cá nhân: " : "Mã số doanh nghiệp: ") + d.applicant_key, 11, false, Align::left});
  if (!d.phone.empty()) page.lines.push_back({"Số điện thoại: " + d.phone, 11, false, Align::left});
  page.lines.push_back({"Nội dung yêu cầu giải quyết: " + (p ? p->name : d.procedure_code) + " (" + d.procedure_code + ")", 11, false, Align::left});
  page.lines.push_back({"Kênh nộp: " + std::string(d.channel == 1 ? "Trực tiếp" : d.channel == 2 ? "Trực tuyến" : "Bưu chính công ích"), 11, false, Align::left});
  page.lines.push_back({"Thành phần hồ sơ:", 11, true, Align::left});
  int i = 0;
  for (const auto& cv : d.components) {
    const auto& c = cv.as_object();
    std::string src = str_of(c, "source");
    std::string how = src == "registry" ? " (khai thác từ cơ sở dữ liệu)" : src == "pds" ? " (tái sử dụng từ kho dữ liệu cá nhân)"
                      : src == "scan"   ? " (bản giấy đã số hóa)"
                                        : " (bản điện tử)";
    page.lines.push_back({"  " + std::to_string(++i) + ". " + str_of(c, "name") + how, 11, false, Align::left});
  }
  if (d.fees_total > 0) page.lines.push_back({"Phí, lệ phí: " + money(d.fees_total) + "; đã nộp: " + money(d.fees_paid), 11, false, Align::left});
  page.lines.push_back({"Thời gian tiếp nhận: " + (d.received_at.empty() ? local_display(d.submitted_at) + " (đăng ký trực tuyến)" : local_display(d.received_at)), 11, false,
                        Align::left});
  if (!d.due_at.empty()) page.lines.push_back({"Thời gian hẹn trả kết quả: " + local_display(d.due_at), 11, true, Align::left});
  page.lines.push_back({"Nơi trả kết quả: " + agency, 11, false, Align::left});
  page.lines.push_back({"", 11, false, Align::left});
  page.lines.push_back({"Tra cứu tình trạng hồ sơ bằng mã hồ sơ tại " + impl_->opts.public_url + "/tra-cuu hoặc quét mã QR.", 9, false, Align::left});
  page.qr_payload = impl_->opts.public_url + "/tra-cuu?ma=" + d.code;
  page.qr_caption = "Tra cứu hồ sơ / Track";
  return pdf::render({"Giấy tiếp nhận hồ sơ " + d.code, agency, {page}});
}

std::string Service::apology_pdf(const http::Request& req, const std::string& code) {
  Dossier d = impl_->visible(req, code);
  if (!d.apology) throw ApiError::not_found("Hồ sơ không có phiếu xin lỗi / No apology slip for this dossier");
  const auto& a = *d.apology;
  auto p = impl_->catalog.get(d.procedure_code);
  std::string agency = str_of(a, "agency_name").empty() ? impl_->agency_name(d.receiving_agency) : str_of(a, "agency_name");
  pdf::Page page;
  page.lines = heading(agency);
  page.lines.push_back({"PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", 14, true, Align::center});
  page.lines.push_back({"Mã hồ sơ: " + d.code, 11, false, Align::center});
  page.lines.push_back({"", 11, false, Align::left});
  page.lines.push_back({"Kính gửi: " + d.applicant_name, 11, true, Align::left});
  page.lines.push_back({"Ngày " + local_display(d.received_at.empty() ? d.submitted_at : d.received_at) + ", " + impl_->agency_name(d.receiving_agency) +
                            " tiếp nhận hồ sơ đề nghị giải quyết thủ tục " + (p ? p->name : d.procedure_code) + " của " + d.applicant_name +
                            ". Thời gian hẹn trả kết quả: " + local_display(str_of(a, "old_due")) + ".",
                        11, false, Align::left});
  page.lines.push_back({"Tuy nhiên đến nay, " + agency + " chưa trả kết quả cho ông/bà đúng hẹn. Lý do: " + str_of(a, "reason") + ".", 11, false,
                        Align::left});
  page.lines.push_back({"Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại của ông/bà. " + agency +
                            " xin lỗi ông/bà và hẹn trả kết quả vào: " + local_display(str_of(a, "new_due")) + ".",
                        11, false, Align::left});
  page.lines.push_back({"Mong nhận được sự thông cảm của ông/bà. Xin trân trọng cảm ơn!", 11, false, Align::left});
  page.lines.push_back({"", 11, false, Align::left});
  page.lines.push_back({"Ngày lập phiếu: " + local_display(str_of(a, "at"), false), 11, false, Align::right});
  page.lines.push_back({str_of(a, "by"), 11, true, Align::right});
  page.qr_payload = impl_->opts.public_url + "/tra-cuu?ma=" + d.code;
  page.qr_caption = "Tra cứu hồ sơ / Track";
  return pdf::render({"Phiếu xin lỗi " + d.code, agency, {page}});
}

}  // namespace lt::dossiers
