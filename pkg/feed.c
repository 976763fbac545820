/*
 * feed.c: a transaction's payloads, inflated and hashed on a second
 * thread while the first writes them out.  Inflating and hashing are most
 * of pkg's own work; creating and writing files is the kernel's.  Run one
 * after the other they add up; here they overlap, on two cores.
 *
 * The reader thread walks the packages' regular files in order, as
 * txn_stage_pkg does, and fills a few fixed buffers with pieces of them;
 * the writer takes the buffers in the same order and gives each back once
 * written.  Small files share a buffer, so the threads meet about once per
 * buffer, not once per file.  Every piece names its package and file, and
 * the writer checks them: the two walks cannot drift apart unnoticed.
 * Nothing the reader produces is trusted further than before: a file's
 * hash is checked before its last piece goes out, and the writer refuses a
 * mismatch before anything is renamed into place.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "payload.h"
#include "sha256.h"

#define FEED_BUFS 4
#define FEED_BUF (64u << 10)
#define FEED_PIECES 128
#define PKG_END ((unsigned)-1)		/* a piece's file: the package's payload ended */

struct piece {
	unsigned pkg, file;		/* PKG_END: the package's end, rc its payload_finish */
	unsigned off, len;
	unsigned char end, bad;
	int rc;
};

struct buf {
	int full;			/* filled, the writer's until it gives it back */
	unsigned npieces, used;
	struct piece piece[FEED_PIECES];
	unsigned char data[FEED_BUF];
};

struct feed {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop, over;			/* the writer's: stop; the reader's: no more buffers */
	const struct txn_pkg *pkgs;
	size_t npkgs;
	struct payload pay;		/* the reader's (too big for a thread's stack) */
	unsigned fill;			/* the reader's buffer */
	unsigned take, at, have;	/* the writer's buffer, its next piece, whether it has it */
	struct buf buf[FEED_BUFS];
};

/* ---- the reader thread ------------------------------------------------ */

/* The buffer being filled, handed to the writer; the next one, once free.
 * 0, or -ECANCELED when the writer stopped. */
static int hand_over(struct feed *f)
{
	struct buf *b = &f->buf[f->fill];
	int rc = 0;

	pthread_mutex_lock(&f->mu);
	if (b->npieces > 0) {
		b->full = 1;
		f->fill = (f->fill + 1) % FEED_BUFS;
		pthread_cond_broadcast(&f->cv);
	}
	while (!f->stop && f->buf[f->fill].full)
		pthread_cond_wait(&f->cv, &f->mu);
	if (f->stop)
		rc = -ECANCELED;
	pthread_mutex_unlock(&f->mu);
	if (rc == 0)
		f->buf[f->fill].npieces = f->buf[f->fill].used = 0;
	return rc;
}

/* A new piece in the buffer being filled, with room for want bytes (at
 * least one, when want is); NULL when the writer stopped. */
static struct piece *piece_new(struct feed *f, unsigned pkg, unsigned file, size_t want)
{
	struct buf *b = &f->buf[f->fill];
	struct piece *p;

	if (b->npieces == FEED_PIECES || (want > 0 && b->used == FEED_BUF)) {
		if (hand_over(f) < 0)
			return NULL;
		b = &f->buf[f->fill];
	}
	p = &b->piece[b->npieces++];
	memset(p, 0, sizeof *p);
	p->pkg = pkg;
	p->file = file;
	p->off = b->used;
	return p;
}

/* One package's files into the buffers: 0, or <0 once an error went out
 * (or the writer stopped). */
static int feed_pkg(struct feed *f, unsigned pk)
{
	const struct txn_pkg *tp = &f->pkgs[pk];
	struct payload *pay = &f->pay;
	struct piece *p;
	size_t i;
	int rc;

	rc = payload_open(pay, tp->fd, tp->payload_off, tp->payload_len, tp->m.payload_size);
	for (i = 0; rc == 0 && i < tp->m.nfiles; i++) {
		const struct pkg_file *pf = &tp->m.files[i];
		unsigned long long left = pf->size;
		struct sha256 h;
		uint8_t got[32];

		if (pf->type != PKG_FILE)
			continue;
		if (sha256_init(&h) < 0) {
			rc = -ENOMEM;
			break;
		}
		do {
			struct buf *b;
			size_t n;

			p = piece_new(f, pk, (unsigned)i, (size_t)(left > 0));
			if (p == NULL) {
				sha256_final(&h, got);
				payload_close(pay);
				return -ECANCELED;
			}
			b = &f->buf[f->fill];
			n = FEED_BUF - b->used < left ? FEED_BUF - b->used : (size_t)left;
			rc = payload_read(pay, b->data + b->used, n);
			if (rc < 0) {
				p->rc = rc;
				break;
			}
			sha256_update(&h, b->data + b->used, n);
			p->len = (unsigned)n;
			b->used += (unsigned)n;
			left -= n;
		} while (left > 0);
		sha256_final(&h, got);
		if (rc < 0) {
			payload_close(pay);
			return rc;
		}
		p->end = 1;
		p->bad = memcmp(got, pf->sha256, 32) != 0;
		if (p->bad) {
			payload_close(pay);
			return -EINVAL;
		}
	}
	if (rc == 0)
		rc = payload_finish(pay);
	payload_close(pay);
	p = piece_new(f, pk, PKG_END, 0);
	if (p == NULL)
		return -ECANCELED;
	p->rc = rc;
	return rc;
}

static void *reader(void *arg)
{
	struct feed *f = arg;
	size_t pk;
	int rc = 0;

	for (pk = 0; pk < f->npkgs && rc == 0; pk++)
		rc = feed_pkg(f, (unsigned)pk);
	/* What was filled goes out; after it, nothing more. */
	if (rc != -ECANCELED)
		hand_over(f);
	pthread_mutex_lock(&f->mu);
	f->over = 1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

/* ---- the writer's side ------------------------------------------------ */

/*
 * feed_start: the reader started on pkgs[0..n), whose payloads must not be
 * read by anyone else until feed_stop.
 */
int feed_start(struct feed **fp, const struct txn_pkg *pkgs, size_t n)
{
	struct feed *f = calloc(1, sizeof *f);
	pthread_attr_t attr;
	int rc;

	*fp = NULL;
	if (f == NULL)
		return -ENOMEM;
	f->pkgs = pkgs;
	f->npkgs = n;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	/* zstd and OpenSSL's hashing want more than musl's 128 KiB default. */
	rc = pthread_attr_init(&attr);
	if (rc == 0) {
		pthread_attr_setstacksize(&attr, 512u << 10);
		rc = pthread_create(&f->thread, &attr, reader, f);
		pthread_attr_destroy(&attr);
	}
	if (rc != 0) {
		pthread_cond_destroy(&f->cv);
		pthread_mutex_destroy(&f->mu);
		free(f);
		return -rc;
	}
	*fp = f;
	return 0;
}

/* The next piece, which must be of pkg's file (PKG_END: its end) or an
 * error. */
static int next(struct feed *f, unsigned pkg, unsigned file, struct piece **pp)
{
	struct buf *b = &f->buf[f->take];

	if (f->have && f->at == b->npieces) {
		/* Written: given back. */
		pthread_mutex_lock(&f->mu);
		b->full = 0;
		f->take = (f->take + 1) % FEED_BUFS;
		f->at = f->have = 0;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
		b = &f->buf[f->take];
	}
	if (!f->have) {
		pthread_mutex_lock(&f->mu);
		while (!b->full && !f->over)
			pthread_cond_wait(&f->cv, &f->mu);
		f->have = b->full;
		pthread_mutex_unlock(&f->mu);
		if (!f->have)
			return -EPIPE;
	}
	*pp = &b->piece[f->at++];
	if ((*pp)->rc == 0 && ((*pp)->pkg != pkg || (*pp)->file != file))
		return -EPIPE;
	return 0;
}

/*
 * feed_get: the next piece of file FILE of package PKG (its index in the
 * package's files).  -EPIPE: the reader has no such piece (a bug).
 */
int feed_get(struct feed *f, size_t pkg, size_t file, struct feed_piece *out)
{
	struct piece *p;
	int rc = next(f, (unsigned)pkg, (unsigned)file, &p);

	if (rc < 0)
		return rc;
	out->data = f->buf[f->take].data + p->off;
	if (p->rc < 0)
		p->len = 0;
	out->len = p->len;
	out->end = p->end;
	out->bad = p->bad;
	out->rc = p->rc;
	out->pkgerr = p->file == PKG_END;
	return 0;
}

/* feed_pkg_end: PKG's payload ended where its last file did (its
 * payload_finish), or the payload error. */
int feed_pkg_end(struct feed *f, size_t pkg)
{
	struct piece *p;
	int rc = next(f, (unsigned)pkg, PKG_END, &p);

	return rc < 0 ? rc : p->rc;
}

/* feed_stop: the reader stopped, wherever it is, and everything freed. */
void feed_stop(struct feed *f)
{
	if (f == NULL)
		return;
	pthread_mutex_lock(&f->mu);
	f->stop = 1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->thread, NULL);
	payload_release();
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	free(f);
}
