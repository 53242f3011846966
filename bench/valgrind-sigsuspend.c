// LD_PRELOAD shim for running the gateway under valgrind 3.19 (Debian 12's): libdispatch's main
// thread waits in sigsuspend() on a signal mask that lives in read-only memory, and valgrind's
// wrapper writes to that mask in place, so valgrind itself dies with SIGSEGV. Passing a copy on the
// stack changes nothing for the program. Built and used by bench/callgrind-per-request.sh only.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>

int sigsuspend(const sigset_t *mask) {
    static int (*next)(const sigset_t *);
    if (!next) next = (int (*)(const sigset_t *))dlsym(RTLD_NEXT, "sigsuspend");
    sigset_t copy = *mask;
    return next(&copy);
}
