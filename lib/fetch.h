/* fetch.h: files over HTTPS through OpenSSL: a repository's (doc/pkg-repo.md), a node config (node.conf(5)). */
#ifndef CAIRN_FETCH_H
#define CAIRN_FETCH_H

#include <stdint.h>
#include <stddef.h>

#include "perr.h"

#define FETCH_URL_MAX 1024
#define FETCH_STALL_SECONDS 60			/* no byte for this long: the transfer fails */
#define FETCH_DEADLINE_SECONDS 3600		/* one file, from connecting to its last byte */
#define FETCH_MIN_RATE 4096			/* bytes a second, ... */
#define FETCH_RATE_SECONDS 30			/* ... over each such span, or the transfer fails */

/* What a server must keep to: a trickle of bytes never holds the reader. */
struct fetch_limits {
	int deadline_s;				/* 0: FETCH_DEADLINE_SECONDS */
	unsigned long min_rate;			/* 0: FETCH_MIN_RATE */
	int rate_s;				/* 0: FETCH_RATE_SECONDS */
};

struct fetch {
	char base[FETCH_URL_MAX];		/* https://host[:port]/path/ */
	char host[256];				/* what the certificate must name */
	void *ctx;				/* an SSL_CTX */
	long verify_err;			/* why the last certificate was refused */
	int connect_s;				/* 0: CONNECT_SECONDS */
	int time_unsure;			/* the clock was moved up to the build date */
	struct fetch_limits lim;
};

int fetch_is_url(const char *s);
int fetch_open(struct fetch *f, const char *url, const char *ca, struct perr *e);
int fetch_mem(struct fetch *f, const char *name, size_t max, char **buf, size_t *len, struct perr *e);
int fetch_file(struct fetch *f, const char *name, unsigned long long size, const uint8_t sha256[32],
	       int dirfd, struct perr *e);
int fetch_url(const char *url, const char *ca, long long not_before, int time_unsure, int timeout_s,
	      size_t max, char **buf, size_t *len, struct perr *e);
void fetch_close(struct fetch *f);

#endif
