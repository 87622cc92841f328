#pragma once
// Streaming RFC 4180 CSV: quoted fields may hold separators, doubled quotes and line breaks.
#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace lt::csv {

class Reader {
 public:
  explicit Reader(std::istream& in, char sep = ',') : in_(in), sep_(sep) {}
  // Recovery from broken quotes for files of one record per line: a quoted field may still span
  // lines, but only when its quote closes within `max_lines` lines and the record then has
  // `fields` fields; otherwise the first line alone is returned as a broken record (error() set)
  // and reading resumes on the next line, so a stray quote never swallows the rows after it.
  void recover_broken_quotes(size_t fields, size_t max_lines = 8) {
    expect_fields_ = fields;
    max_lines_ = max_lines;
  }
  // Reads the next record; false at end of input. A record with an unterminated quote is returned
  // as read, with error() set (the caller reports it and goes on).
  bool next(std::vector<std::string>& fields);
  // Line number (1-based) where the last record started.
  size_t line() const { return start_line_; }
  bool error() const { return error_; }
  // The last record's line as read (without a final \r) when it was one line without quotes, so
  // that its fields are exactly the pieces between separators; empty otherwise.
  std::string_view plain_line() const;

 private:
  std::istream& in_;
  char sep_;
  size_t line_ = 0, start_line_ = 0;
  bool error_ = false, plain_ = false;
  size_t expect_fields_ = 0, max_lines_ = 0;
  std::vector<std::string> pending_;  // lines read ahead and given back (used from the back)
  std::vector<std::string> lines_;    // the physical lines of the current record (buffers reused)
  bool split_plain(const std::string& line, std::vector<std::string>& fields) const;
  bool get_line(std::string& line);
  // Parses from `lines` (one or more physical lines); returns false while a quote is still open.
  // `clean` is cleared when text follows a closing quote (`"ab"c`), which RFC 4180 forbids.
  bool parse(const std::vector<std::string>& lines, std::vector<std::string>& fields, bool* clean = nullptr) const;
};

// Appends one field to `out`, quoted where needed (no separator before it).
void append_field(std::string& out, std::string_view field, char sep = ',');

// One record as a CSV line (quoting where needed), without the line break.
std::string format_row(const std::vector<std::string>& fields, char sep = ',');

}  // namespace lt::csv
