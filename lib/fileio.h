/* fileio.h: Cairn's one way to read and write files: bounded reads, a
 * regular file opened safely, and the one atomic write. */
#ifndef CAIRN_FILEIO_H
#define CAIRN_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "perr.h"

struct stat;

/* Reads of a path the caller names (-errno; -EFBIG when longer). */
int file_read(const char *path, char *buf, size_t size, size_t *len);
int file_read_alloc(const char *path, size_t max, char **buf, size_t *len);
int file_read_head(const char *path, char *buf, size_t size, size_t *len);
int file_read_tail(const char *path, char *buf, size_t size, size_t *len);
/* Reads of a file that must be a regular one, its failure in words. */
int file_open_regular(int dirfd, const char *path, struct stat *st, struct perr *e);
int file_read_at(int dirfd, const char *path, size_t max, char **buf, size_t *len, struct perr *e);

int file_write_all(int fd, const void *buf, size_t len);
int file_write_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode);
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
int file_mkdirs(int dirfd, const char *path, mode_t mode);

#endif
