#ifndef CGNUPLOT_H
#define CGNUPLOT_H
// A plain C front for gnuplot-iostream (C++17). Swift imports this header as C and never
// sees a C++ type: gnuplot-iostream's non-copyable `Gnuplot` class stays inside the target.
//
// Every call starts its own gnuplot process, so calls from different threads are
// independent. gnuplot runs with `-d` (no ~/.gnuplot or system init file) and with
// GNUTERM=unknown, so a script that forgets `set terminal` cannot open a window.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Return codes of `cgnuplot_render` below zero; zero and above are gnuplot's exit status.
enum {
    /// The gnuplot program could not be found or executed.
    CGNUPLOT_NOT_FOUND = -1,
    /// A system call (pipe, temporary file, spawn, wait) failed; `*error_out` says which.
    CGNUPLOT_SYSTEM_ERROR = -2,
    /// gnuplot was killed by a signal; `*error_out` names it, followed by gnuplot's stderr.
    CGNUPLOT_SIGNALED = -3,
};

/// Runs one gnuplot session.
///
/// 1. Starts `program` (NULL means "gnuplot", searched on PATH) with stdout and stderr
///    redirected to two unlinked temporary files, so neither pipe can fill up and block it.
/// 2. Through gnuplot-iostream, defines data block i (0-based) as the gnuplot datablock
///    `$data<i>` (`$data0 << EOD … EOD`; a block must not contain a line "EOD"), then sends
///    `script`, then closes gnuplot's stdin.
/// 3. Waits for gnuplot to exit and returns its exit status (0 = success).
///
/// `*output_out` receives everything gnuplot wrote to stdout (the image when the script says
/// `set output` with no file name) and `*output_length_out` its length in bytes;
/// `*error_out` receives gnuplot's stderr as a NUL-terminated string. Both are malloc'd
/// (never NULL on return, possibly empty); release them with `cgnuplot_free`.
///
/// SIGPIPE is ignored in the calling process (once, on the first call), so a gnuplot that
/// dies early makes a write fail instead of killing the process.
int cgnuplot_render(const char *program,
                    const char *script,
                    const char *const *data_blocks,
                    size_t block_count,
                    char **output_out,
                    size_t *output_length_out,
                    char **error_out);

/// The first line of `<program> --version` (e.g. "gnuplot 5.4 patchlevel 4"), malloc'd;
/// NULL when the program cannot be run or exits with a non-zero status.
/// `program` NULL means "gnuplot" on PATH. Release the result with `cgnuplot_free`.
char *cgnuplot_version(const char *program);

/// The points (x[i], y[i]) as the text of a data block: one "x y" line per point, each
/// number with 17 significant digits (printf's "%.17g", so gnuplot reads back the same
/// double), independent of the process locale. malloc'd (NULL only when out of memory);
/// release it with `cgnuplot_free`. Formatting here is ~10× faster than in Swift.
char *cgnuplot_format_points(const double *x, const double *y, size_t count);

/// Releases a string or buffer returned by this module.
void cgnuplot_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
