// Two libc functions replaced in both wasm modules, for size: together they are about 7 KB of
// the core module's 31 KB gzipped (docs/BENCHMARKS.md, "WebAssembly package").
//
// They are linked in only because libc++'s std::system_category() (which every default
// std::error_code names) can describe errno values, via strerror_r() and, for unknown values,
// snprintf("Unknown error %d"); and because std::to_string(int) shares an object file with
// to_string(double), which calls snprintf("%f"). Nothing in these modules asks for either: no
// system error is ever produced (there is no OS underneath) and JS maps ssekit's error codes to
// messages itself. musl's versions bring its 2.5 KB table of errno strings and the floating-point
// printf; these replacements keep the contracts for what can happen here:
//  - strerror_r: "errno N" (a valid description, just not the English one);
//  - snprintf: musl's integer-only printf (vsniprintf). A floating-point conversion would call
//    its missing float formatter and trap, loudly, rather than print something wrong.
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <cstring>  // declares strerror_r: the definition below must match it

extern "C" int vsniprintf(char* s, std::size_t n, const char* format, std::va_list args);  // musl, emscripten

extern "C" {

int snprintf(char* s, std::size_t n, const char* format, ...) {
    std::va_list args;
    va_start(args, format);
    const int written = vsniprintf(s, n, format, args);
    va_end(args);
    return written;
}

int strerror_r(int errnum, char* buffer, std::size_t size) {
    snprintf(buffer, size, "errno %d", errnum);
    return 0;
}

}  // extern "C"
