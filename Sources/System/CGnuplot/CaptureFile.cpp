// The unlinked temporary files that hold a child's stdout and stderr.

#include "ChildProcess.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

namespace cgnuplot {

CaptureFile::CaptureFile() {
    const char *directory = std::getenv("TMPDIR");
    std::string path = (directory && directory[0]) ? directory : "/tmp";
    path += "/cgnuplot-XXXXXX";
    std::vector<char> name(path.begin(), path.end());
    name.push_back('\0');
    // O_CLOEXEC: a child spawned by another thread at the same moment must not inherit it.
    fd_ = mkostemp(name.data(), O_CLOEXEC);
    if (fd_ < 0) throw SystemFailure(describeErrno(("mkostemp(" + path + ")").c_str(), errno));
    unlink(name.data());  // the open descriptor keeps the data; nothing is left on disk
}

CaptureFile::~CaptureFile() {
    if (fd_ >= 0) close(fd_);
}

std::string CaptureFile::contents() const {
    std::string text;
    char buffer[65536];
    off_t offset = 0;
    for (;;) {
        ssize_t count = pread(fd_, buffer, sizeof buffer, offset);
        if (count < 0) {
            if (errno == EINTR) continue;
            throw SystemFailure(describeErrno("pread(capture file)", errno));
        }
        if (count == 0) break;
        text.append(buffer, static_cast<size_t>(count));
        offset += count;
    }
    return text;
}

} // namespace cgnuplot
