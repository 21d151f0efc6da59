#ifndef CGNUPLOT_CHILD_PROCESS_HPP
#define CGNUPLOT_CHILD_PROCESS_HPP
// A child process with a pipe to its stdin and its stdout/stderr captured in temporary
// files. Internal to the CGnuplot target (C++ only, never seen by Swift).

#include <cstdio>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <vector>

namespace cgnuplot {

/// The program could not be found or executed (posix_spawn failed with ENOENT, EACCES, …).
struct ProgramNotFound : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A system call failed; the message names the call and errno's text.
struct SystemFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// An unlinked temporary file, owned by its descriptor: the child writes into it without
/// anyone having to drain a pipe, and the parent reads it back after the child exits.
class CaptureFile {
public:
    CaptureFile();
    ~CaptureFile();
    CaptureFile(const CaptureFile &) = delete;
    CaptureFile &operator=(const CaptureFile &) = delete;

    int descriptor() const { return fd_; }
    /// Everything written to the file so far, from its start.
    std::string contents() const;

private:
    int fd_;
};

/// A running child: `program args…`, stdin a pipe, stdout and stderr capture files.
/// The destructor closes stdin (if not handed out) and reaps the child, so no zombie is
/// left behind even when an exception unwinds past it.
class ChildProcess {
public:
    /// Spawns the program (searched on PATH when it has no '/'), with SIGPIPE restored to
    /// its default in the child, and the environment of the caller with GNUTERM=unknown.
    /// Throws ProgramNotFound or SystemFailure.
    ChildProcess(const std::string &program, const std::vector<std::string> &arguments);
    ~ChildProcess();
    ChildProcess(const ChildProcess &) = delete;
    ChildProcess &operator=(const ChildProcess &) = delete;

    /// The write end of the child's stdin as a stdio stream; the caller owns it from now
    /// on and must fclose it (closing it is the child's end-of-input).
    std::FILE *takeStdin();
    /// Waits for the child to exit and returns the raw status of waitpid.
    int wait();

    std::string standardOutput() const { return stdout_.contents(); }
    std::string standardError() const { return stderr_.contents(); }

private:
    CaptureFile stdout_;
    CaptureFile stderr_;
    int stdinFd_ = -1;
    pid_t pid_ = -1;
    bool reaped_ = false;
};

/// Ignores SIGPIPE in this process (once; a handler someone else installed is kept), so a
/// write to a child that already exited fails with EPIPE instead of killing us.
void ignoreBrokenPipes();

/// "call: strerror(errno)".
std::string describeErrno(const char *call, int error);

} // namespace cgnuplot

#endif
