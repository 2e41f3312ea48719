// markup: text escaping shared by the HTML and JUnit (XML) reports.
#pragma once

#include <string>
#include <string_view>

namespace sse::conformance {

/// Escapes `s` for HTML or XML text and attribute values: `&`, `<`, `>` and `"` become entities,
/// and control bytes a report cannot show (or XML 1.0 cannot carry) become `\xHH`. LF and TAB
/// stay; CR stays only with `keep_cr` (XML keeps it, the HTML report shows it as `\x0d` so a
/// lone CR is visible). Other bytes are copied unchanged.
std::string escape_markup(std::string_view s, bool keep_cr);

}  // namespace sse::conformance
