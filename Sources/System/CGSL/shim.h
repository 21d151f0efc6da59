#ifndef CGSL_SHIM_H
#define CGSL_SHIM_H
// The GSL functions the project calls, plus the few OpenBLAS entry points it needs.
// GSL's own <gsl/gsl_cblas.h> declares cblas_*; OpenBLAS provides their definitions at
// link time (module.modulemap links "openblas" and never "gslcblas").
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_version.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_eigen.h>

// OpenBLAS' <cblas.h> clashes with <gsl/gsl_cblas.h>; declare its extras by hand.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
char *openblas_get_config(void);

// Swift 6 strict concurrency rejects GSL's mutable globals; hand them out from functions.
static inline const gsl_rng_type *cgsl_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_rng_type *cgsl_rng_ranlxd2(void) { return gsl_rng_ranlxd2; }
static inline const char *cgsl_version(void) { return gsl_version; }

#endif
