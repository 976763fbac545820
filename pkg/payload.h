/* payload.h: a package's zstd payload, read as a bounded stream; by one
 * thread at a time (payload.c keeps one context for all). */
#ifndef CAIRN_PKG_PAYLOAD_H
#define CAIRN_PKG_PAYLOAD_H

#include <stddef.h>
#include <sys/types.h>

#define PAYLOAD_WINDOW_LOG_MAX 27		/* 128 MiB: the most memory a frame may ask */
#define PAYLOAD_BUF (64u << 10)

struct payload {
	int fd;
	off_t off;				/* next compressed byte to read */
	unsigned long long left;		/* compressed bytes not read yet */
	unsigned long long total, limit;	/* bytes given out; the declared size */
	void *dctx;				/* a ZSTD_DCtx */
	unsigned char in[PAYLOAD_BUF];
	size_t inpos, inlen;
	int frame_done;
};

int payload_open(struct payload *p, int fd, off_t off, unsigned long long len, unsigned long long limit);
int payload_read(struct payload *p, void *buf, size_t n);
int payload_finish(struct payload *p);
void payload_close(struct payload *p);
void payload_release(void);
const char *payload_why(int rc);

#endif
