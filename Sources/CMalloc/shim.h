// glibc's allocator tuning (mallopt), for Core.AllocatorPolicy.
#include <malloc.h>
