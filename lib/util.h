/* util.h: error text, whole-file reads and atomic writes, SHA-256 (pkg and the agent). */
#ifndef CAIRN_UTIL_H
#define CAIRN_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What went wrong, in words for the operator: "PATH: why". */
struct perr {
	char msg[1024];
};

int perr(struct perr *e, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct stat;
int util_open_file(int dirfd, const char *path, struct stat *st, struct perr *e);
int util_read_all(int dirfd, const char *path, size_t max, char **buf, size_t *len, struct perr *e);
int util_write_all(int fd, const void *buf, size_t len);
int util_write_atomic(int dirfd, const char *path, const void *buf, size_t len, mode_t mode);
int util_mkdirs(int dirfd, const char *path, mode_t mode);

struct sha256 {
	void *ctx;				/* an EVP_MD_CTX */
};

int sha256_init(struct sha256 *h);
int sha256_update(struct sha256 *h, const void *buf, size_t len);
int sha256_final(struct sha256 *h, uint8_t out[32]);
int sha256_buf(const void *buf, size_t len, uint8_t out[32]);

#endif
