#ifndef CMALLOC_H
#define CMALLOC_H
// Glibc's Swift module does not export <malloc.h> (mallopt, malloc_trim); this header does.
#include <malloc.h>
#endif
