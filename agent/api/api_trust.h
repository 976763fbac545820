/* api_trust.h: whom the control API lets in: the operators' own CA, its
 * CRL and an allow-list of certificate fingerprints, kept apart from the
 * cluster's [trust] CA (doc/cairn-agent.md, API). */
#ifndef CAIRN_API_TRUST_H
#define CAIRN_API_TRUST_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/x509.h>

#include "conf/nodeconf.h"
#include "perr.h"

#define TRUST_FILE_MAX (16 << 20)	/* a CA, CRL or allow-file longer is refused */
#define TRUST_ALLOW_MAX 4096		/* fingerprints in an allow-file */
#define TRUST_SHA256 32

enum { TRUST_CA, TRUST_CRL, TRUST_ALLOW, TRUST_CLUSTER, TRUST_FILES };

/* What a file was when it was read: a change to any of it reloads. */
struct trust_stamp {
	int present;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

struct api_trust {
	const char *path[TRUST_FILES];		/* [api] client-ca, crl, allow-file, [trust] ca-file; "" for none */
	const char *cluster_pem;		/* [trust] ca, inline; "" for none */
	X509_STORE *store;			/* the CA, and its CRL; NULL: every client refused */
	unsigned char (*allow)[TRUST_SHA256];	/* the allow-file's fingerprints */
	size_t nallow;
	struct trust_stamp stamp[TRUST_FILES];
	char why[512];				/* why store is NULL */
};

void trust_init(struct api_trust *t, const struct nodeconf *c);
int trust_load(struct api_trust *t, struct perr *e);
int trust_refresh(struct api_trust *t, FILE *log);
int trust_allows(const struct api_trust *t, X509 *cert, char *hex, size_t size);
int trust_fingerprints(const char *text, size_t len, unsigned char (**out)[TRUST_SHA256], size_t *n,
		       char *err, size_t errsz);
void trust_free(struct api_trust *t);

#endif
