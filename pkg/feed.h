/* feed.h: a transaction's payloads, inflated and hashed on a second thread while the first writes. */
#ifndef CAIRN_PKG_FEED_H
#define CAIRN_PKG_FEED_H

#include <stddef.h>

#include "txn.h"

struct feed;

/* A piece of one file's bytes, in order.  end: the file's last piece (a
 * file of 0 bytes has one, empty); bad: its bytes do not match its sha256
 * (set on the last piece); rc: a payload error (payload_why), then
 * nothing more comes; pkgerr: the error is the package's (its payload
 * could not be opened), not the file's. */
struct feed_piece {
	const unsigned char *data;
	size_t len;
	int end, bad, rc, pkgerr;
};

int feed_start(struct feed **fp, const struct txn_pkg *pkgs, size_t n);
int feed_get(struct feed *f, size_t pkg, size_t file, struct feed_piece *p);
int feed_pkg_end(struct feed *f, size_t pkg);
void feed_stop(struct feed *f);

#endif
