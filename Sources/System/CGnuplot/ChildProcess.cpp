// Spawning and reaping one child process with posix_spawn.

#include "ChildProcess.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace cgnuplot {

namespace {

/// A pipe whose both ends are close-on-exec (dup2 in the child clears the flag on fd 0).
void makePipe(int fds[2]) {
#if defined(__linux__)
    if (pipe2(fds, O_CLOEXEC) != 0) throw SystemFailure(describeErrno("pipe2", errno));
#else
    if (pipe(fds) != 0) throw SystemFailure(describeErrno("pipe", errno));
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
#endif
}

/// The caller's environment without GNUTERM, plus GNUTERM=unknown: even a script without
/// `set terminal` can then never open a window (gnuplot-qt hangs without a display).
std::vector<std::string> childEnvironment() {
    std::vector<std::string> entries;
    for (char **entry = environ; entry && *entry; ++entry) {
        if (std::strncmp(*entry, "GNUTERM=", 8) != 0) entries.emplace_back(*entry);
    }
    entries.emplace_back("GNUTERM=unknown");
    return entries;
}

/// A NULL-terminated char* view of strings that outlive it.
std::vector<char *> cStrings(std::vector<std::string> &strings) {
    std::vector<char *> pointers;
    for (auto &string : strings) pointers.push_back(&string[0]);
    pointers.push_back(nullptr);
    return pointers;
}

/// Owns posix_spawn's file actions and attributes.
struct SpawnSetup {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;

    SpawnSetup() {
        if (posix_spawn_file_actions_init(&actions) != 0)
            throw SystemFailure("posix_spawn_file_actions_init failed");
        if (posix_spawnattr_init(&attributes) != 0) {
            posix_spawn_file_actions_destroy(&actions);
            throw SystemFailure("posix_spawnattr_init failed");
        }
    }
    ~SpawnSetup() {
        posix_spawnattr_destroy(&attributes);
        posix_spawn_file_actions_destroy(&actions);
    }
    SpawnSetup(const SpawnSetup &) = delete;
    SpawnSetup &operator=(const SpawnSetup &) = delete;
};

} // namespace

std::string describeErrno(const char *call, int error) {
    return std::string(call) + ": " + std::strerror(error);
}

void ignoreBrokenPipes() {
    static const bool done = [] {
        struct sigaction current;
        if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
            struct sigaction ignore;
            std::memset(&ignore, 0, sizeof ignore);
            ignore.sa_handler = SIG_IGN;
            sigemptyset(&ignore.sa_mask);
            sigaction(SIGPIPE, &ignore, nullptr);
        }
        return true;
    }();
    (void)done;
}

ChildProcess::ChildProcess(const std::string &program, const std::vector<std::string> &arguments) {
    SpawnSetup setup;
    int fds[2];
    makePipe(fds);
    int status = posix_spawn_file_actions_adddup2(&setup.actions, fds[0], STDIN_FILENO);
    if (status == 0) status = posix_spawn_file_actions_adddup2(&setup.actions, stdout_.descriptor(), STDOUT_FILENO);
    if (status == 0) status = posix_spawn_file_actions_adddup2(&setup.actions, stderr_.descriptor(), STDERR_FILENO);

    // SIGPIPE is ignored in this process, and ignored signals survive exec: give the child
    // the default disposition back, and an empty signal mask.
    sigset_t defaults, empty;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigemptyset(&empty);
    if (status == 0) status = posix_spawnattr_setsigdefault(&setup.attributes, &defaults);
    if (status == 0) status = posix_spawnattr_setsigmask(&setup.attributes, &empty);
    if (status == 0)
        status = posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    if (status != 0) {
        close(fds[0]);
        close(fds[1]);
        throw SystemFailure(describeErrno("posix_spawn setup", status));
    }

    std::vector<std::string> argv{program};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    std::vector<std::string> environment = childEnvironment();
    std::vector<char *> argvPointers = cStrings(argv);
    std::vector<char *> environmentPointers = cStrings(environment);

    status = posix_spawnp(&pid_, program.c_str(), &setup.actions, &setup.attributes,
                          argvPointers.data(), environmentPointers.data());
    close(fds[0]);
    if (status != 0) {
        close(fds[1]);
        pid_ = -1;
        if (status == ENOENT || status == EACCES || status == ENOEXEC || status == ENOTDIR)
            throw ProgramNotFound(describeErrno(("cannot run " + program).c_str(), status));
        throw SystemFailure(describeErrno(("posix_spawn(" + program + ")").c_str(), status));
    }
    stdinFd_ = fds[1];
}

ChildProcess::~ChildProcess() {
    if (stdinFd_ >= 0) close(stdinFd_);
    if (pid_ > 0 && !reaped_) {
        try {
            wait();
        } catch (...) {
        }
    }
}

std::FILE *ChildProcess::takeStdin() {
    std::FILE *stream = fdopen(stdinFd_, "w");
    if (!stream) throw SystemFailure(describeErrno("fdopen(gnuplot stdin)", errno));
    stdinFd_ = -1;
    return stream;
}

int ChildProcess::wait() {
    if (stdinFd_ >= 0) {
        close(stdinFd_);
        stdinFd_ = -1;
    }
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0) {
        if (errno != EINTR) throw SystemFailure(describeErrno("waitpid", errno));
    }
    reaped_ = true;
    return status;
}

} // namespace cgnuplot
