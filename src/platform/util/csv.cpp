#include "platform/util/csv.hpp"

#include <cstring>

namespace lt::csv {

bool Reader::get_line(std::string& line) {
  if (!pending_.empty()) {
    line = std::move(pending_.back());
    pending_.pop_back();
    return true;
  }
  return static_cast<bool>(std::getline(in_, line));
}

bool Reader::parse(const std::vector<std::string>& lines, std::vector<std::string>& fields, bool* clean) const {
  fields.clear();
  if (clean) *clean = true;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (size_t l = 0; l < lines.size(); ++l) {
    const std::string& line = lines[l];
    if (l) field += '\n';
    const size_t n = line.size();
    size_t i = 0;
    while (i < n) {
      if (quoted) {  // up to the next quote: a doubled one stands for itself, a single one closes
        const void* q = std::memchr(line.data() + i, '"', n - i);
        size_t j = q ? static_cast<size_t>(static_cast<const char*>(q) - line.data()) : n;
        field.append(line, i, j - i);
        if (j == n) break;
        if (j + 1 < n && line[j + 1] == '"') {
          field += '"';
          i = j + 2;
        } else {
          quoted = false;
          i = j + 1;
        }
        continue;
      }
      size_t j = i;  // a run of ordinary characters (a \r only ends the line at its very end)
      while (j < n && line[j] != sep_ && line[j] != '"' && !(line[j] == '\r' && j + 1 == n)) ++j;
      if (j > i) {
        if (was_quoted && clean) *clean = false;  // text after a closing quote
        field.append(line, i, j - i);
        i = j;
        continue;
      }
      char c = line[i++];
      if (c == '"' && field.empty() && !was_quoted) {
        quoted = was_quoted = true;
      } else if (c == sep_) {
        fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
      } else if (c != '\r') {  // a quote inside an unquoted field is kept as it is
        if (was_quoted && clean) *clean = false;
        field += c;
      }
    }
  }
  fields.push_back(std::move(field));
  return !quoted;
}

bool Reader::split_plain(const std::string& line, std::vector<std::string>& fields) const {
  // The common case: no quote on the line, so fields are the pieces between separators. Fields
  // are assigned in place, so their buffers are reused from one record to the next.
  if (line.find('"') != std::string::npos) return false;
  size_t n = 0, start = 0, end = line.size();
  if (end && line[end - 1] == '\r') --end;
  for (;;) {
    const void* hit = start < end ? std::memchr(line.data() + start, sep_, end - start) : nullptr;
    size_t stop = hit ? static_cast<size_t>(static_cast<const char*>(hit) - line.data()) : end;
    if (n == fields.size()) fields.emplace_back();
    fields[n++].assign(line, start, stop - start);
    if (!hit) break;
    start = stop + 1;
  }
  fields.resize(n);
  return true;
}

std::string_view Reader::plain_line() const {
  if (!plain_) return {};
  std::string_view l = lines_[0];
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

bool Reader::next(std::vector<std::string>& fields) {
  error_ = false;
  plain_ = false;
  if (lines_.empty()) lines_.emplace_back();
  lines_.resize(1);
  if (!get_line(lines_[0])) {
    fields.clear();
    return false;
  }
  start_line_ = ++line_;
  plain_ = split_plain(lines_[0], fields);
  if (plain_) return true;
  std::vector<std::string>& lines = lines_;
  if (parse(lines, fields)) return true;
  size_t bytes = lines[0].size();
  for (;;) {
    std::string more;
    bool limit = max_lines_ ? lines.size() >= max_lines_ : bytes > (1u << 20);  // a runaway quote
    if (limit || !get_line(more)) break;
    bytes += more.size();
    lines.push_back(std::move(more));
    bool clean = true;
    if (parse(lines, fields, &clean)) {
      if (!expect_fields_ || (clean && fields.size() == expect_fields_)) {
        line_ += lines.size() - 1;
        return true;
      }
      break;
    }
  }
  error_ = true;
  if (!max_lines_) {  // plain mode: the record is what was read, up to the end of the input
    parse(lines, fields);
    line_ += lines.size() - 1;
    return true;
  }
  // Recovery: give back every line after the first one.
  for (size_t i = lines.size(); i-- > 1;) pending_.push_back(std::move(lines[i]));
  lines.resize(1);
  parse(lines, fields);
  return true;
}

void append_field(std::string& out, std::string_view f, char sep) {
  size_t i = 0;
  for (const size_t n = f.size(); i < n; ++i) {
    char c = f[i];
    if (c == sep || c == '"' || c == '\n' || c == '\r') break;
  }
  if (i == f.size()) {
    out += f;
    return;
  }
  out += '"';
  for (char c : f) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string format_row(const std::vector<std::string>& fields, char sep) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += sep;
    append_field(out, fields[i], sep);
  }
  return out;
}

}  // namespace lt::csv
