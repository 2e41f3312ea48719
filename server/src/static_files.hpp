// static_files: GET/HEAD of files under one directory, for the demo and inspector pages.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sse::server::detail {

/// A file found for a request path.
struct static_file {
    std::string content;
    std::string_view mime_type;
};

/// Serves regular files under `root`. A request path is percent-decoded and split on `/`; `..`
/// segments, backslashes and NUL are refused, a directory means its index.html, and the resolved
/// path (symlinks followed) must still lie under the root, so nothing outside it is ever read.
/// Files are read whole (up to max_file_size) on the calling I/O thread: fine for a few small
/// pages, not a general-purpose file server.
class static_files {
public:
    static constexpr std::size_t max_file_size = std::size_t{32} << 20;

    /// `root` must exist; an empty path disables serving (find() always returns nullopt).
    explicit static_files(const std::string& root);

    /// The file for `path` (the request target's path, still percent-encoded), or nullopt when
    /// there is none, it is not a regular file, it is too large or the path is refused.
    std::optional<static_file> find(std::string_view path) const;

    /// The Content-Type for a file name, by extension; application/octet-stream when unknown.
    static std::string_view mime_type_for(std::string_view name);

private:
    std::filesystem::path root_;  // canonical, empty when disabled
};

}  // namespace sse::server::detail
