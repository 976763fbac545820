/*
 * payload.c: decompress a package's payload as a stream, never past the
 * size its metadata declares: a frame that inflates further is a bomb and
 * is refused as soon as the extra byte appears, and the window a frame
 * may ask for is capped, so a hostile package bounds both disk and memory.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "payload.h"

/*
 * One decompression context serves every payload of a run, one after
 * another: its window, already faulted in, is not given back and asked
 * for again for each of a transaction's packages.  One thread at a time
 * reads payloads (during a transaction, feed.c's), and payload_release
 * gives the context back once it is done.
 */
static ZSTD_DCtx *spare;

int payload_open(struct payload *p, int fd, off_t off, unsigned long long len, unsigned long long limit)
{
	memset(p, 0, sizeof *p);
	p->fd = fd;
	p->off = off;
	p->left = len;
	p->limit = limit;
	p->dctx = spare != NULL ? spare : ZSTD_createDCtx();
	spare = NULL;
	if (p->dctx == NULL)
		return -ENOMEM;
	if (ZSTD_isError(ZSTD_DCtx_setParameter(p->dctx, ZSTD_d_windowLogMax, PAYLOAD_WINDOW_LOG_MAX))) {
		payload_close(p);
		return -EINVAL;
	}
	return 0;
}

/* More compressed input; 0 at the end of the payload's bytes. */
static int refill(struct payload *p)
{
	size_t want = p->left < sizeof p->in ? (size_t)p->left : sizeof p->in;
	ssize_t r;

	if (want == 0)
		return 0;
	do
		r = pread(p->fd, p->in, want, p->off);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ENODATA;
	p->off += r;
	p->left -= (unsigned long long)r;
	p->inpos = 0;
	p->inlen = (size_t)r;
	return 1;
}

/*
 * payload_read: exactly n more bytes into buf.  -EBADMSG for a corrupt
 * stream, -ENODATA for one that ends too soon, -EFBIG past the limit.
 */
int payload_read(struct payload *p, void *buf, size_t n)
{
	ZSTD_outBuffer out = { buf, n, 0 };
	int rc;

	if (n > p->limit - p->total)
		return -EFBIG;
	while (out.pos < out.size) {
		ZSTD_inBuffer in;
		size_t r;

		if (p->inpos == p->inlen) {
			rc = refill(p);
			if (rc < 0)
				return rc;
			if (rc == 0)
				return -ENODATA;
		}
		in.src = p->in;
		in.size = p->inlen;
		in.pos = p->inpos;
		r = ZSTD_decompressStream(p->dctx, &out, &in);
		p->inpos = in.pos;
		if (ZSTD_isError(r))
			return -EBADMSG;
		p->frame_done = r == 0;
		if (r == 0 && out.pos < out.size && p->inpos == p->inlen && p->left == 0)
			return -ENODATA;
	}
	p->total += n;
	return 0;
}

/*
 * payload_finish: the stream must end here: one frame, complete, no byte
 * after it, and nothing more to inflate (-EFBIG: a bomb).
 */
int payload_finish(struct payload *p)
{
	unsigned char extra;
	ZSTD_outBuffer out = { &extra, 1, 0 };
	int rc;

	/* The frame ended with the last file's bytes: whatever follows it (a
	 * skippable frame, another frame, junk) is not allowed. */
	if (p->frame_done && (p->inpos < p->inlen || p->left > 0))
		return -EBADMSG;
	for (;;) {
		ZSTD_inBuffer in = { p->in, p->inlen, p->inpos };
		size_t r;

		if (p->inpos == p->inlen) {
			rc = refill(p);
			if (rc < 0)
				return rc;
			if (rc == 0)
				return p->frame_done ? 0 : -ENODATA;
			in.size = p->inlen;
			in.pos = 0;
		}
		r = ZSTD_decompressStream(p->dctx, &out, &in);
		p->inpos = in.pos;
		if (ZSTD_isError(r))
			return -EBADMSG;
		if (out.pos > 0)
			return -EFBIG;
		if (r == 0) {
			p->frame_done = 1;
			/* A frame ended: nothing may follow it. */
			if (p->inpos < p->inlen || p->left > 0)
				return -EBADMSG;
			return 0;
		}
	}
}

/* payload_release: the kept context (and its window) given back. */
void payload_release(void)
{
	ZSTD_freeDCtx(spare);
	spare = NULL;
}

void payload_close(struct payload *p)
{
	/* Reset to a new frame (a half-read one is dropped), kept for the next. */
	if (p->dctx != NULL && spare == NULL &&
	    !ZSTD_isError(ZSTD_DCtx_reset(p->dctx, ZSTD_reset_session_and_parameters)))
		spare = p->dctx;
	else
		ZSTD_freeDCtx(p->dctx);
	p->dctx = NULL;
}

const char *payload_why(int rc)
{
	switch (rc) {
	case -EBADMSG:
		return "payload is not one valid zstd frame";
	case -ENODATA:
		return "payload ends before the files it must hold";
	case -EFBIG:
		return "payload inflates past its declared size (a decompression bomb)";
	default:
		return strerror(-rc);
	}
}
