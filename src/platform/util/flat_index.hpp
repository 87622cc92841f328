#pragma once
// FlatIndex: a map from 64-bit keys to 32-bit values in one array with linear probing. A lookup
// touches one slot (one cache line) instead of a bucket, a node and its key, which matters for the
// per-file caches of the address converter (millions of lookups over tens of thousands of keys).
// Keys may be hashes of longer keys: the caller then checks the entry it finds (see find()).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lt::util {

class FlatIndex {
 public:
  explicit FlatIndex(size_t initial_slots = 1u << 12) : slots_(round_up(initial_slots), Slot{0, kEmpty}) {}

  // The value stored under `key`, or null.
  const uint32_t* find(uint64_t key) const {
    for (size_t i = home(key);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].value == kEmpty) return nullptr;
      if (slots_[i].key == key) return &slots_[i].value;
    }
  }
  // Stores `value` under `key`, which must not be present yet. Grows at half full.
  void insert(uint64_t key, uint32_t value) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    size_t i = home(key);
    while (slots_[i].value != kEmpty) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = Slot{key, value};
    ++used_;
  }
  void clear() {
    for (auto& s : slots_) s = Slot{0, kEmpty};
    used_ = 0;
  }
  size_t size() const { return used_; }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;  // not a storable value
  struct Slot {
    uint64_t key;
    uint32_t value;
  };
  static size_t round_up(size_t n) {
    size_t p = 16;
    while (p < n) p <<= 1;
    return p;
  }
  size_t home(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 32) & (slots_.size() - 1); }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2, Slot{0, kEmpty});
    old.swap(slots_);
    used_ = 0;
    for (const auto& s : old)
      if (s.value != kEmpty) insert(s.key, s.value);
  }
  std::vector<Slot> slots_;
  size_t used_ = 0;
};

}  // namespace lt::util
