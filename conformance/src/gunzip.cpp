#include "gunzip.hpp"

#include <boost/beast/zlib/inflate_stream.hpp>

namespace sse::conformance {

namespace {

// The length of the RFC 1952 member header at the start of `b`, or 0 when incomplete.
std::size_t header_size(std::string_view b) {
    constexpr unsigned fhcrc = 2, fextra = 4, fname = 8, fcomment = 16;
    if (b.size() < 10) return 0;
    const auto flags = static_cast<unsigned char>(b[3]);
    std::size_t at = 10;
    if (flags & fextra) {
        if (b.size() < at + 2) return 0;
        at += 2 + (static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1]) << 8);
    }
    for (unsigned zero_terminated : {fname, fcomment}) {
        if (!(flags & zero_terminated)) continue;
        const auto end = b.find('\0', at);
        if (end == std::string_view::npos) return 0;
        at = end + 1;
    }
    if (flags & fhcrc) at += 2;
    return at <= b.size() ? at : 0;
}

}  // namespace

gunzip_result gunzip_prefix(std::string_view body) {
    gunzip_result r;
    if (body.size() >= 3 && (static_cast<unsigned char>(body[0]) != 0x1f || static_cast<unsigned char>(body[1]) != 0x8b ||
                             body[2] != 8)) {
        r.error = "not gzip (no 1f 8b 08 header)";
        return r;
    }
    const std::size_t start = header_size(body);
    if (start == 0) {
        r.error = "incomplete header";
        return r;
    }
    namespace zlib = boost::beast::zlib;
    zlib::inflate_stream inflater;  // raw deflate, 32 KiB window
    zlib::z_params zs;
    zs.next_in = body.data() + start;
    zs.avail_in = body.size() - start;
    char out[16384];
    for (;;) {
        zs.next_out = out;
        zs.avail_out = sizeof out;
        boost::system::error_code ec;
        inflater.write(zs, zlib::Flush::sync, ec);
        r.text.append(out, sizeof out - zs.avail_out);
        if (ec == zlib::error::end_of_stream || ec == zlib::error::need_buffers) break;
        if (ec) {
            r.error = ec.message();
            return r;
        }
        if (zs.avail_in == 0 && zs.avail_out != 0) break;
    }
    r.ok = true;
    return r;
}

}  // namespace sse::conformance
