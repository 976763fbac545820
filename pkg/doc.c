/*
 * doc.c: the strict parser of a repository's signed documents and the
 * threshold check of their signatures (TUF's root rules, doc/pkg-repo.md).
 *
 *   cairn-root 1            cairn-release 1
 *   version N               version N
 *   expires SECONDS         expires SECONDS
 *   threshold K             index SIZE SHA256
 *   key ALG HEXDER ...
 *   signature KEYID HEXSIG ...   (either document)
 *
 * The signatures cover every byte before the first signature line, the
 * kind line included, so a root can never pass for a release.  Lines come
 * in this order only, numbers have one spelling: one document, one form.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "doc.h"
#include "format.h"
#include "text.h"

/* The reason in err, after "line N: " when a line is known. */
#define bad(err, errsize, line, ...) pkg_err(err, errsize, NULL, line, __VA_ARGS__)

/*
 * doc_parse: text (len bytes) into d.  Returns 0, or -EINVAL with the line
 * and the reason in err.  Keys are loaded into OpenSSL: doc_free them.
 */
int doc_parse(const char *text, size_t len, struct doc *d, char *err, size_t errsize)
{
	char l[1024], *w[3];
	size_t at = 0, n;
	int line = 0, rc;

	memset(d, 0, sizeof *d);
	if (len == 0 || len > DOC_MAX || text[len - 1] != '\n' || memchr(text, '\0', len) != NULL)
		return bad(err, errsize, 0, "not a signed document (empty, too big, a NUL byte, "
			   "or no newline at the end)");
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t ll = (size_t)(nl - (text + at));
		unsigned long long v;

		line++;
		if (ll >= sizeof l)
			return bad(err, errsize, line, "line too long");
		memcpy(l, text + at, ll);
		l[ll] = '\0';
		at += ll + 1;
		if (strncmp(l, "signature ", 10) == 0) {
			struct doc_sig *s;
			uint8_t id[32];

			if (line == 1)
				return bad(err, errsize, line, "a signature before the document");
			if (d->signed_len == 0)
				d->signed_len = at - ll - 1;
			if (d->nsigs == DOC_SIGS_MAX)
				return bad(err, errsize, line, "more than %d signatures", DOC_SIGS_MAX);
			s = &d->sigs[d->nsigs];
			if (pkg_words(l + 10, w, 2) < 0 || strlen(w[0]) != 64 ||
			    text_unhex(w[0], id, sizeof id, &n) < 0 ||
			    text_unhex(w[1], s->sig, sizeof s->sig, &s->len) < 0)
				return bad(err, errsize, line, "needs 'signature KEYID HEXSIG' in lowercase hex");
			memcpy(s->id, w[0], 65);
			d->nsigs++;
			continue;
		}
		if (d->signed_len != 0)
			return bad(err, errsize, line, "only signature lines may follow a signature");
		if (line == 1) {
			if (strcmp(l, "cairn-root 1") == 0)
				d->kind = DOC_ROOT;
			else if (strcmp(l, "cairn-release 1") == 0)
				d->kind = DOC_RELEASE;
			else
				return bad(err, errsize, line, "not 'cairn-root 1' or 'cairn-release 1'");
			continue;
		}
		if (line == 2 || line == 3) {
			const char *key = line == 2 ? "version " : "expires ";

			if (strncmp(l, key, 8) != 0 || pkg_decimal(l + 8, 1ULL << 53, &v) < 0 ||
			    (line == 2 && v == 0))
				return bad(err, errsize, line, "needs '%s' and a number (no leading zero%s)",
					   line == 2 ? "version" : "expires", line == 2 ? ", not 0" : "");
			*(line == 2 ? &d->version : &d->expires) = v;
			continue;
		}
		if (d->kind == DOC_RELEASE) {
			if (line != 4 || strncmp(l, "index ", 6) != 0 || pkg_words(l + 6, w, 2) < 0 ||
			    pkg_decimal(w[0], 1ULL << 32, &d->index_size) < 0 ||
			    pkg_hex32(w[1], d->index_sha256) < 0)
				return bad(err, errsize, line, "a release's fourth and last line is "
					   "'index SIZE SHA256'");
			continue;
		}
		if (line == 4) {
			if (strncmp(l, "threshold ", 10) != 0 || pkg_decimal(l + 10, DOC_KEYS_MAX, &v) < 0 ||
			    v == 0)
				return bad(err, errsize, line, "needs 'threshold K', 1 <= K <= %d", DOC_KEYS_MAX);
			d->threshold = (int)v;
			continue;
		}
		{
			uint8_t der[KEY_DER_MAX];
			struct pubkey *k = &d->keys[d->nkeys];
			int i;

			if (d->nkeys == DOC_KEYS_MAX)
				return bad(err, errsize, line, "more than %d keys", DOC_KEYS_MAX);
			if (strncmp(l, "key ", 4) != 0 || pkg_words(l + 4, w, 2) < 0 ||
			    text_unhex(w[1], der, sizeof der, &n) < 0)
				return bad(err, errsize, line, "needs 'key ALG HEXDER'");
			if (strcmp(w[0], "ed25519") != 0 && strcmp(w[0], "ecdsa-p256") != 0)
				return bad(err, errsize, line, "key algorithm '%.32s' is not ed25519 or ecdsa-p256",
					   w[0]);
			if (key_public(w[0], der, n, k) < 0)
				return bad(err, errsize, line, "not a valid %s public key", w[0]);
			d->nkeys++;
			for (i = 0; i < d->nkeys - 1; i++)
				if (strcmp(d->keys[i].id, k->id) == 0)
					return bad(err, errsize, line, "key %.16s... listed twice", k->id);
		}
	}
	if (d->signed_len == 0)
		d->signed_len = len;
	/* The lines before the signatures: a release has exactly four. */
	line -= d->nsigs;
	rc = 0;
	if (d->kind == DOC_RELEASE && line < 4)
		rc = bad(err, errsize, 0, "release ends before its 'index' line");
	if (d->kind == DOC_ROOT && line < 3)
		rc = bad(err, errsize, 0, "root ends before its 'expires' line");
	else if (d->kind == DOC_ROOT && (d->threshold == 0 || d->nkeys < d->threshold))
		rc = bad(err, errsize, 0, "root has %d keys, fewer than its threshold %d", d->nkeys,
			 d->threshold);
	return rc;
}

/*
 * doc_signers: how many distinct keys of root signed d (text is d's whole
 * text).  A signature by a key root does not list is ignored; one that
 * does not verify is counted in *bad.
 */
int doc_signers(const struct doc *root, const struct doc *d, const char *text, int *badsigs)
{
	int seen[DOC_KEYS_MAX] = { 0 }, i, j, good = 0;

	*badsigs = 0;
	for (i = 0; i < d->nsigs; i++)
		for (j = 0; j < root->nkeys; j++) {
			if (strcmp(d->sigs[i].id, root->keys[j].id) != 0)
				continue;
			if (key_verify(&root->keys[j], text, d->signed_len, d->sigs[i].sig, d->sigs[i].len)) {
				good += !seen[j];
				seen[j] = 1;
			} else {
				(*badsigs)++;
			}
		}
	return good;
}

void doc_free(struct doc *d)
{
	int i;

	for (i = 0; i < d->nkeys; i++)
		key_free(&d->keys[i]);
	d->nkeys = 0;
}
