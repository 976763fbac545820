/* fileio.h: bounded reads of outside files and atomic writes. */
#ifndef CAIRN_FILEIO_H
#define CAIRN_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

int file_read(const char *path, char *buf, size_t size, size_t *len);
int file_read_alloc(const char *path, size_t max, char **buf, size_t *len);
int file_write_atomic(const char *path, const char *data, size_t len, mode_t mode);

#endif
