// A main() for fuzz targets built without libFuzzer (GCC, dev and asan presets): runs the target
// once on every file named, and on every file under every directory named, in sorted order.
// So the fuzz code always compiles, the corpus is a regression suite, and a crash input from a
// fuzz run reproduces with any build: `sse_parser_fuzzer crash-1234abcd`.
//
// Exit status: 0 when every input ran (a failed invariant aborts first), 1 when no input was
// found (an empty or missing corpus must not pass silently), 2 on a usage or read error.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

namespace {

bool collect(const fs::path& arg, std::vector<fs::path>& files) {
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
        for (fs::recursive_directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec)) {
            if (it->is_regular_file(ec)) files.push_back(it->path());
        }
    } else if (fs::is_regular_file(arg, ec)) {
        files.push_back(arg);
    } else {
        std::fprintf(stderr, "replay: %s: no such file or directory\n", arg.c_str());
        return false;
    }
    if (ec) {
        std::fprintf(stderr, "replay: %s: %s\n", arg.c_str(), ec.message().c_str());
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argc > 0 ? argv[0] : "replay");
        return 2;
    }
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        if (!collect(argv[i], files)) return 2;
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
        std::ifstream in(file, std::ios::binary);
        // Exactly the file's bytes in a buffer of exactly that size, so ASan sees any over-read.
        const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                              std::istreambuf_iterator<char>()};
        if (!in && !in.eof()) {
            std::fprintf(stderr, "replay: %s: read error\n", file.c_str());
            return 2;
        }
        std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), bytes.size());
        LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    }
    if (files.empty()) {
        std::fprintf(stderr, "replay: no inputs found\n");
        return 1;
    }
    std::printf("replay: %zu inputs ran\n", files.size());
    return 0;
}
