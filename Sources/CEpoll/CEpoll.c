#define _GNU_SOURCE
#include <pthread.h>
#include <sys/socket.h>
#include "CEpoll.h"

int cepoll_accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags) {
    return accept4(fd, addr, addrlen, flags);
}

int cepoll_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
