/* doc.h: the signed documents of a repository: root (the keys) and
 * release (the index's hash), doc/pkg-repo.md. */
#ifndef CAIRN_PKG_DOC_H
#define CAIRN_PKG_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "key.h"

#define DOC_MAX (1u << 20)
#define DOC_KEYS_MAX 16
#define DOC_SIGS_MAX 16

enum doc_kind { DOC_ROOT = 1, DOC_RELEASE };

struct doc_sig {
	char id[65];
	uint8_t sig[KEY_SIG_MAX];
	size_t len;
};

struct doc {
	enum doc_kind kind;
	unsigned long long version, expires;	/* expires: seconds since the epoch, UTC */
	size_t signed_len;			/* the bytes the signatures cover */
	/* root */
	int threshold, nkeys;
	struct pubkey keys[DOC_KEYS_MAX];
	/* release */
	unsigned long long index_size;
	uint8_t index_sha256[32];
	int nsigs;
	struct doc_sig sigs[DOC_SIGS_MAX];
};

int doc_parse(const char *text, size_t len, struct doc *d, char *err, size_t errsize);
int doc_signers(const struct doc *root, const struct doc *d, const char *text, int *bad);
void doc_free(struct doc *d);

#endif
