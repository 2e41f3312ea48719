// A log-linear latency histogram (HDR-style): 32 sub-buckets per power of two, so any recorded
// value is reported within about 3 %. Fixed size, mergeable by adding counts, serialisable as
// sparse "index:count" pairs (how sse-load's worker processes send theirs to the parent).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <sstream>
#include <string>

namespace sse::load {

class histogram {
public:
    static constexpr int sub_bits = 5;
    static constexpr std::uint64_t sub = std::uint64_t{1} << sub_bits;
    static constexpr std::size_t size = 64 * sub;  // covers every uint64_t

    /// Records one value (microseconds in sse-load).
    void record(std::uint64_t v) noexcept {
        ++counts_[index(v)];
        ++total_;
        max_ = std::max(max_, v);
    }

    /// Adds `other`'s counts.
    void merge(const histogram& other) noexcept {
        for (std::size_t i = 0; i < size; ++i) counts_[i] += other.counts_[i];
        total_ += other.total_;
        max_ = std::max(max_, other.max_);
    }

    std::uint64_t count() const noexcept { return total_; }
    std::uint64_t max() const noexcept { return max_; }

    /// The value at quantile q in [0, 1]: the upper bound of the bucket holding it (never
    /// under-reports), capped at the largest value recorded. 0 when empty.
    std::uint64_t quantile(double q) const noexcept {
        if (total_ == 0) return 0;
        auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_));
        if (rank >= total_) rank = total_ - 1;
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < size; ++i) {
            seen += counts_[i];
            if (seen > rank) return std::min(upper(i), max_);
        }
        return max_;
    }

    /// "max index:count index:count ..." for non-empty buckets.
    std::string serialize() const {
        std::string out = std::to_string(max_);
        for (std::size_t i = 0; i < size; ++i)
            if (counts_[i]) out.append(1, ' ').append(std::to_string(i)).append(1, ':').append(std::to_string(counts_[i]));
        return out;
    }

    /// Replaces the contents with serialize()'s output; false (and empty) on malformed input.
    bool deserialize(const std::string& text) {
        *this = histogram();
        std::istringstream in(text);
        if (!(in >> max_)) return false;
        std::string pair;
        while (in >> pair) {
            const auto colon = pair.find(':');
            if (colon == std::string::npos) return (*this = histogram(), false);
            const auto i = std::stoull(pair.substr(0, colon));
            const auto c = std::stoull(pair.substr(colon + 1));
            if (i >= size) return (*this = histogram(), false);
            counts_[i] += c;
            total_ += c;
        }
        return true;
    }

private:
    static std::size_t index(std::uint64_t v) noexcept {
        if (v < 2 * sub) return static_cast<std::size_t>(v);
        const int msb = 63 - std::countl_zero(v);
        const int shift = msb - sub_bits;
        return static_cast<std::size_t>((shift + 1) * sub + ((v >> shift) - sub));
    }
    static std::uint64_t upper(std::size_t i) noexcept {
        if (i < 2 * sub) return i;
        const std::size_t shift = i / sub - 1;
        const std::uint64_t m = i % sub + sub;
        return ((m + 1) << shift) - 1;
    }

    std::array<std::uint64_t, size> counts_{};
    std::uint64_t total_ = 0;
    std::uint64_t max_ = 0;
};

}  // namespace sse::load
