// cgnuplot_format_points: "x y" lines with 17 significant digits, for inline data blocks.

#include "CGnuplot.h"
#include "CBuffers.hpp"

#include <charconv>
#include <cstdio>
#include <new>
#include <string>

namespace {

/// Appends `value` as "%.17g" would print it in the C locale.
void appendNumber(std::string &text, double value) {
    char buffer[40];
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
    std::to_chars_result result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 17);
    text.append(buffer, result.ptr);
#else
    int length = std::snprintf(buffer, sizeof buffer, "%.17g", value);
    text.append(buffer, length > 0 ? static_cast<size_t>(length) : 0);
#endif
}

} // namespace

extern "C" char *cgnuplot_format_points(const double *x, const double *y, size_t count) {
    try {
        std::string text;
        text.reserve(count * 48);
        for (size_t index = 0; index < count; ++index) {
            appendNumber(text, x[index]);
            text += ' ';
            appendNumber(text, y[index]);
            text += '\n';
        }
        return cgnuplot::mallocCopy(text);
    } catch (const std::bad_alloc &) {
        return nullptr;
    }
}
