// cgnuplot_render: one gnuplot session driven through gnuplot-iostream.

#include "CGnuplot.h"
#include "CBuffers.hpp"
#include "ChildProcess.hpp"

#include <csignal>
#include <exception>
#include <memory>
#include <gnuplot-iostream.h>
#include <sys/wait.h>

namespace {

/// Sends the datablocks and the script, then closes gnuplot's stdin: gnuplot-iostream's
/// destructor flushes and fcloses the stream it was given, which is gnuplot's end of input.
/// A gnuplot that already exited makes the writes fail (EPIPE, SIGPIPE being ignored); the
/// stream then just goes bad and the exit status tells what happened.
void sendSession(std::FILE *input, const char *script, const char *const *blocks, size_t count) {
    std::unique_ptr<Gnuplot> session;
    try {
        session.reset(new Gnuplot(input));
    } catch (...) {
        std::fclose(input);  // not yet owned by gnuplot-iostream; gnuplot must still see EOF
        throw;
    }
    Gnuplot &gnuplot = *session;
    for (size_t index = 0; index < count; ++index) {
        std::string block = blocks[index] ? blocks[index] : "";
        if (!block.empty() && block.back() != '\n') block += '\n';
        gnuplot << "$data" << index << " << EOD\n" << block << "EOD\n";
    }
    std::string text = script ? script : "";
    if (!text.empty() && text.back() != '\n') text += '\n';
    gnuplot << text << std::flush;
}

/// Stores `text` in `*out` (when out is not NULL), falling back to an empty string.
void store(char **out, const std::string &text) {
    if (!out) return;
    *out = cgnuplot::mallocCopy(text);
    if (!*out) *out = cgnuplot::mallocCopy("");
}

} // namespace

extern "C" int cgnuplot_render(const char *program, const char *script, const char *const *data_blocks,
                               size_t block_count, char **output_out, size_t *output_length_out,
                               char **error_out) {
    if (output_out) *output_out = nullptr;
    if (output_length_out) *output_length_out = 0;
    if (error_out) *error_out = nullptr;
    std::string output, error;
    int result = CGNUPLOT_SYSTEM_ERROR;
    try {
        cgnuplot::ignoreBrokenPipes();
        cgnuplot::ChildProcess child(program ? program : "gnuplot", {"-d"});
        sendSession(child.takeStdin(), script, data_blocks, block_count);
        int status = child.wait();
        output = child.standardOutput();
        error = child.standardError();
        if (WIFEXITED(status)) {
            result = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            result = CGNUPLOT_SIGNALED;
            error = "gnuplot was killed by signal " + std::to_string(WTERMSIG(status)) + "\n" + error;
        } else {
            error = "gnuplot ended with wait status " + std::to_string(status) + "\n" + error;
        }
    } catch (const cgnuplot::ProgramNotFound &failure) {
        result = CGNUPLOT_NOT_FOUND;
        error = failure.what();
    } catch (const std::exception &failure) {
        result = CGNUPLOT_SYSTEM_ERROR;
        error = failure.what();
    } catch (...) {
        result = CGNUPLOT_SYSTEM_ERROR;
        error = "unknown C++ exception while running gnuplot";
    }
    if (output_out) {
        *output_out = static_cast<char *>(std::malloc(output.size() + 1));
        if (*output_out) {
            std::memcpy(*output_out, output.data(), output.size());
            (*output_out)[output.size()] = '\0';
            if (output_length_out) *output_length_out = output.size();
        } else if (result >= 0) {
            result = CGNUPLOT_SYSTEM_ERROR;
            error = "out of memory for gnuplot's output";
        }
    }
    store(error_out, error);
    return result;
}

extern "C" void cgnuplot_free(void *pointer) { std::free(pointer); }
