#ifndef CEPOLL_H
#define CEPOLL_H
// Glibc's Swift module does not export epoll or eventfd; this header does.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

/// accept4(2) is a GNU extension that Swift's Glibc module does not export (it needs _GNU_SOURCE).
/// Accepting with SOCK_NONBLOCK | SOCK_CLOEXEC saves two fcntl calls per connection.
int cepoll_accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);
#endif
