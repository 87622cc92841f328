#pragma once
// Streaming RFC 4180 CSV: quoted fields may hold separators, doubled quotes and line breaks.
#include <istream>
#include <string>
#include <vector>

namespace lt::csv {

class Reader {
 public:
  explicit Reader(std::istream& in, char sep = ',') : in_(in), sep_(sep) {}
  // Reads the next record; false at end of input. A record with an unterminated quote is returned
  // as read, with error() set (the caller reports it and goes on).
  bool next(std::vector<std::string>& fields);
  // Line number (1-based) where the last record started.
  size_t line() const { return start_line_; }
  bool error() const { return error_; }

 private:
  std::istream& in_;
  char sep_;
  size_t line_ = 0, start_line_ = 0;
  bool error_ = false;
};

// One record as a CSV line (quoting where needed), without the line break.
std::string format_row(const std::vector<std::string>& fields, char sep = ',');

}  // namespace lt::csv
