/* fileio.h: bounded reads of outside files, atomic writes, and the error text the agent's modules return. */
#ifndef CAIRN_FILEIO_H
#define CAIRN_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

int file_read(const char *path, char *buf, size_t size, size_t *len);
int file_read_alloc(const char *path, size_t max, char **buf, size_t *len);
int file_write_atomic(const char *path, const char *data, size_t len, mode_t mode);
int file_write_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode);
int err_fail(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
