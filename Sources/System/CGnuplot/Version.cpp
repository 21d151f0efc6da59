// cgnuplot_version: the first line of `gnuplot --version`, for `lessons doctor`.

#include "CGnuplot.h"
#include "CBuffers.hpp"
#include "ChildProcess.hpp"

#include <exception>
#include <sys/wait.h>

extern "C" char *cgnuplot_version(const char *program) {
    try {
        cgnuplot::ChildProcess child(program ? program : "gnuplot", {"--version"});
        int status = child.wait();  // closes stdin first: --version reads nothing
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return nullptr;
        std::string text = child.standardOutput();
        size_t end = text.find('\n');
        if (end != std::string::npos) text.erase(end);
        return cgnuplot::mallocCopy(text);
    } catch (...) {
        return nullptr;
    }
}
