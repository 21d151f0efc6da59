#ifndef CGNUPLOT_C_BUFFERS_HPP
#define CGNUPLOT_C_BUFFERS_HPP
// Handing C++ strings across the C API as malloc'd buffers.

#include <cstdlib>
#include <cstring>
#include <string>

namespace cgnuplot {

/// A malloc'd, NUL-terminated copy of `text` (NULL only if malloc fails).
inline char *mallocCopy(const std::string &text) {
    char *copy = static_cast<char *>(std::malloc(text.size() + 1));
    if (copy) {
        std::memcpy(copy, text.data(), text.size());
        copy[text.size()] = '\0';
    }
    return copy;
}

} // namespace cgnuplot

#endif
