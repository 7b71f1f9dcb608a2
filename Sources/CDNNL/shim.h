#include <dnnl.h>
#include <dnnl_debug.h>

// Debian's libdnnl is built with the GNU OpenMP runtime (dnnl_version()->cpu_runtime is
// DNNL_RUNTIME_OMP), so its primitives run on libgomp's thread team and take their thread count
// from the OpenMP "nthreads" setting of the calling thread. libgomp ships no header next to the
// toolchain Swift uses, so the two OpenMP calls stemtrace makes are declared here (OpenMP 4.5
// API, omp.h); the library is libgomp, which libdnnl itself links.

/// Sets the number of threads of the next parallel regions started by the calling thread.
void omp_set_num_threads(int num_threads);

/// The number of threads the next parallel region of the calling thread would use.
int omp_get_max_threads(void);

/// GNU OpenMP's entry point for `#pragma omp parallel` (libgomp ABI, GCC ≥ 4.9): runs fn(data) on
/// a team of num_threads threads, the calling thread included, and returns when all are done.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
