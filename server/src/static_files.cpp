#include "static_files.hpp"

#include "query.hpp"

#include <array>
#include <fstream>
#include <utility>

namespace sse::server::detail {
namespace {

// Percent-decoding of a path: unlike form data, '+' is a plus here.
std::optional<std::string> decode_path(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size()) return std::nullopt;
        const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

bool is_under(const std::filesystem::path& p, const std::filesystem::path& root) {
    auto r = root.begin();
    auto q = p.begin();
    for (; r != root.end(); ++r, ++q)
        if (q == p.end() || *q != *r) return false;
    return true;
}

}  // namespace

static_files::static_files(const std::string& root) {
    if (root.empty()) return;
    std::error_code ec;
    root_ = std::filesystem::canonical(root, ec);
    if (ec) root_.clear();
}

std::optional<static_file> static_files::find(std::string_view path) const {
    if (root_.empty() || path.empty() || path.front() != '/') return std::nullopt;
    const std::optional<std::string> decoded = decode_path(path);
    if (!decoded || decoded->find('\0') != std::string::npos ||
        decoded->find('\\') != std::string::npos)
        return std::nullopt;

    // Segment by segment, so `..` is refused wherever it appears (even encoded as %2e%2e).
    std::filesystem::path full = root_;
    std::string_view rest = *decoded;
    while (!rest.empty()) {
        const std::size_t slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (segment.empty() || segment == ".") continue;
        if (segment == "..") return std::nullopt;
        full /= std::string(segment);
    }
    std::error_code ec;
    if (std::filesystem::is_directory(full, ec)) full /= "index.html";
    // A symlink inside the root may point outside it: compare the resolved path.
    const std::filesystem::path resolved = std::filesystem::canonical(full, ec);
    if (ec || !is_under(resolved, root_) || !std::filesystem::is_regular_file(resolved, ec))
        return std::nullopt;
    const auto size = std::filesystem::file_size(resolved, ec);
    if (ec || size > max_file_size) return std::nullopt;

    std::ifstream in(resolved, std::ios::binary);
    if (!in) return std::nullopt;
    static_file f;
    f.content.resize(static_cast<std::size_t>(size));
    in.read(f.content.data(), static_cast<std::streamsize>(size));
    if (static_cast<std::size_t>(in.gcount()) != size) return std::nullopt;
    f.mime_type = mime_type_for(resolved.filename().string());
    return f;
}

std::string_view static_files::mime_type_for(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 17> types{{
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".wasm", "application/wasm"},  // required for WebAssembly.instantiateStreaming
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".webp", "image/webp"},
        {".woff2", "font/woff2"},
    }};
    const std::size_t dot = name.rfind('.');
    if (dot != std::string_view::npos) {
        std::string ext(name.substr(dot));
        for (char& c : ext)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        for (const auto& [e, type] : types)
            if (e == ext) return type;
    }
    return "application/octet-stream";
}

}  // namespace sse::server::detail
