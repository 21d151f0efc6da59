#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
// zlib (Debian zlib1g-dev): gzopen/gzread/gzclose to read the Fashion-MNIST .gz files,
// deflate to write gzip streams (tests and the IDX fuzzer).
#include <zlib.h>

#endif
