/*
 * api_trust.c: the control API's trust, apart from the cluster's.  An
 * operator's certificate must chain to [api] client-ca, a CA the site
 * keeps for its operators alone: the [trust] CA of a kubernetes node also
 * signs kubelet client certificates whose subjects (OU included) the
 * requester chooses, so a role read from such a certificate would be
 * anyone's.  [api] crl revokes, [api] allow-file narrows to the
 * certificates listed by SHA-256 fingerprint.  The files are looked at
 * before each connection and read again when they change, so a
 * revocation needs no restart; a file that no longer loads refuses every
 * client until it does (a CRL half written must not let a revoked
 * operator in).  The [trust] CA, read again with them, must neither be
 * a CA of client-ca nor chain to one.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "api/api_trust.h"
#include "fileio.h"
#include "text.h"

static const char *const key_names[TRUST_FILES] = {
	"[api] client-ca", "[api] crl", "[api] allow-file", "[trust] ca-file"
};

void trust_init(struct api_trust *t, const struct nodeconf *c)
{
	memset(t, 0, sizeof *t);
	t->path[TRUST_CA] = c->api_client_ca;
	t->path[TRUST_CRL] = c->api_crl;
	t->path[TRUST_ALLOW] = c->api_allow;
	t->path[TRUST_CLUSTER] = c->ca_file;
	t->cluster_pem = c->ca_pem;
}

static void stamp_of(const struct stat *st, struct trust_stamp *s)
{
	memset(s, 0, sizeof *s);
	s->present = 1;
	s->dev = st->st_dev;
	s->ino = st->st_ino;
	s->size = st->st_size;
	s->mtime = st->st_mtim;
	s->ctime = st->st_ctim;
}

static int stamp_same(const struct trust_stamp *a, const struct trust_stamp *b)
{
	return a->present == b->present && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* The file of KIND whole, and what it was when read: stat first, so a
 * change while it is read is seen again at the next look. */
static int read_one(const struct api_trust *t, int kind, char **text, size_t *len, struct trust_stamp *s,
		    struct perr *e)
{
	struct stat st;
	int rc;

	/* -EINVAL as a constant, not perr's return: clang's analyzer cannot
	 * see that it is below 0, and went on as if a failed read gave text. */
	if (stat(t->path[kind], &st) < 0) {
		perr(e, -EINVAL, "%s %s: %s", key_names[kind], t->path[kind], strerror(errno));
		return -EINVAL;
	}
	stamp_of(&st, s);
	rc = file_read_alloc(t->path[kind], TRUST_FILE_MAX, text, len);
	if (rc == -EACCES)
		perr(e, -EINVAL, "%s %s: %s (the API's network side, an unprivileged user, reads it)",
		     key_names[kind], t->path[kind], strerror(-rc));
	else if (rc < 0)
		perr(e, -EINVAL, "%s %s: %s", key_names[kind], t->path[kind],
		     rc == -EFBIG ? "larger than 16 MiB" : strerror(-rc));
	return rc < 0 ? -EINVAL : 0;
}

/* Every certificate in PEM TEXT; NULL when there is none. */
static STACK_OF(X509) *pem_certs(const char *text, size_t len)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	STACK_OF(X509_INFO) *infos;
	BIO *b = BIO_new_mem_buf(text, (int)len);
	int i;

	infos = b != NULL && certs != NULL ? PEM_X509_INFO_read_bio(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	for (i = 0; infos != NULL && i < sk_X509_INFO_num(infos); i++) {
		X509_INFO *x = sk_X509_INFO_value(infos, i);

		if (x->x509 != NULL && sk_X509_push(certs, x->x509) > 0)
			x->x509 = NULL;
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	ERR_clear_error();
	if (certs != NULL && sk_X509_num(certs) == 0) {
		sk_X509_free(certs);
		certs = NULL;
	}
	return certs;
}

/* The CRLs in TEXT: PEM (one or more), or one in DER. */
static STACK_OF(X509_CRL) *crls_of(const char *text, size_t len)
{
	STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	X509_CRL *crl;
	int i;

	if (crls == NULL)
		return NULL;
	if (memmem(text, len, "-----BEGIN", 10) != NULL) {
		STACK_OF(X509_INFO) *infos;
		BIO *b = BIO_new_mem_buf(text, (int)len);

		infos = b != NULL ? PEM_X509_INFO_read_bio(b, NULL, NULL, NULL) : NULL;
		BIO_free(b);
		for (i = 0; infos != NULL && i < sk_X509_INFO_num(infos); i++) {
			X509_INFO *x = sk_X509_INFO_value(infos, i);

			if (x->crl != NULL && sk_X509_CRL_push(crls, x->crl) > 0)
				x->crl = NULL;
		}
		sk_X509_INFO_pop_free(infos, X509_INFO_free);
	} else {
		const unsigned char *p = (const unsigned char *)text;

		crl = d2i_X509_CRL(NULL, &p, (long)len);
		/* One CRL, and nothing after it. */
		if (crl != NULL && (p != (const unsigned char *)text + len || sk_X509_CRL_push(crls, crl) <= 0))
			X509_CRL_free(crl);
	}
	ERR_clear_error();
	if (sk_X509_CRL_num(crls) == 0) {
		sk_X509_CRL_free(crls);
		return NULL;
	}
	return crls;
}

/* A CRL counts only from the client CA: one from elsewhere would leave
 * every client without its CA's CRL, or stand in for it. */
static int crl_from(X509_CRL *crl, STACK_OF(X509) *cas)
{
	int i;

	for (i = 0; i < sk_X509_num(cas); i++) {
		X509 *ca = sk_X509_value(cas, i);

		if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) == 0 &&
		    X509_CRL_verify(crl, X509_get0_pubkey(ca)) == 1)
			return 1;
	}
	ERR_clear_error();
	return 0;
}

/* Lower-case hex of a SHA-256, with colons, as openssl x509 -fingerprint prints it. */
static void hex_of(const unsigned char *d, char *hex, size_t size)
{
	size_t i, n = 0;

	if (size == 0)
		return;
	for (i = 0; i < TRUST_SHA256 && n + 3 < size; i++)
		n += (size_t)snprintf(hex + n, size - n, i ? ":%02X" : "%02X", d[i]);
	hex[n] = '\0';
}

/* One fingerprint: 64 hex digits, or 32 pairs with ':' between. */
static int fingerprint_parse(const char *s, size_t n, unsigned char *out)
{
	size_t i, k = 0;
	int colons = n == (size_t)TRUST_SHA256 * 3 - 1;

	if (n != (size_t)TRUST_SHA256 * 2 && !colons)
		return -1;
	for (i = 0; i < n; i += colons ? 3 : 2, k++) {
		int hi = text_hexdigit((unsigned char)s[i]), lo = text_hexdigit((unsigned char)s[i + 1]);

		if (hi < 0 || lo < 0 || (colons && i + 2 < n && s[i + 2] != ':'))
			return -1;
		out[k] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/*
 * trust_fingerprints: the allow-file TEXT: one SHA-256 fingerprint a
 * line, 64 hex digits with or without colons, as `openssl x509
 * -fingerprint -sha256` prints it (its "sha256 Fingerprint=" may be
 * left on); `#` starts a comment.  A new array in *out; 0, or -EINVAL
 * with ERR naming the line.
 */
int trust_fingerprints(const char *text, size_t len, unsigned char (**out)[TRUST_SHA256], size_t *n,
		       char *err, size_t errsz)
{
	static const char prefix[] = "sha256 fingerprint=";
	unsigned char (*fps)[TRUST_SHA256] = NULL;
	const char *p = text, *end = text + len;
	size_t count = 0;
	int line = 0;

	*out = NULL;
	*n = 0;
	if (memchr(text, '\0', len) != NULL)
		return err_fail(err, errsz, "a NUL byte in it");
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *s = p, *e;

		if (eol == NULL)
			eol = end;
		line++;
		p = eol + 1;
		e = memchr(s, '#', (size_t)(eol - s));
		if (e == NULL)
			e = eol;
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (s == e)
			continue;
		if ((size_t)(e - s) > sizeof prefix - 1 && strncasecmp(s, prefix, sizeof prefix - 1) == 0)
			s += sizeof prefix - 1;
		if (count == TRUST_ALLOW_MAX) {
			free(fps);
			return err_fail(err, errsz, "line %d: more than %d fingerprints", line, TRUST_ALLOW_MAX);
		}
		if (count % 64 == 0) {
			void *nf = realloc(fps, (count + 64) * sizeof *fps);

			if (nf == NULL) {
				free(fps);
				return err_fail(err, errsz, "out of memory");
			}
			fps = nf;
		}
		if (fingerprint_parse(s, (size_t)(e - s), fps[count]) < 0) {
			free(fps);
			return err_fail(err, errsz, "line %d: not a SHA-256 fingerprint (64 hex digits, colons "
					"between pairs allowed)", line);
		}
		count++;
	}
	*out = fps;
	*n = count;
	return 0;
}

/* The [trust] CA's certificates, from its file or the config's own PEM
 * block, in *out; NULL when there is no [trust] CA.  A file named that
 * does not load is an error: the check below must not pass for want of
 * something to compare. */
static int cluster_load(const struct api_trust *t, STACK_OF(X509) **out, struct trust_stamp *s, struct perr *e)
{
	const char *text = t->cluster_pem;
	char *file = NULL;
	size_t len = strlen(text);
	int rc;

	*out = NULL;
	if (t->path[TRUST_CLUSTER][0] != '\0') {
		rc = read_one(t, TRUST_CLUSTER, &file, &len, s, e);
		if (rc < 0)
			return rc;
		text = file;
	}
	if (len > 0)
		*out = pem_certs(text, len);
	free(file);
	if (len > 0 && *out == NULL)
		return perr(e, -EINVAL, "[trust] ca%s%s: no PEM certificate in it",
			    t->path[TRUST_CLUSTER][0] != '\0' ? "-file " : "", t->path[TRUST_CLUSTER]);
	return 0;
}

/*
 * 0 when the [trust] CA is apart from STORE, the client CAS: every
 * certificate the cluster CA signs, a kubelet's with the subject its
 * requester chose among them, would otherwise be an operator's.  The
 * same key is the same CA, whatever its certificate says; a [trust] CA
 * that verifies against STORE (an intermediate under a root in
 * client-ca) hands that trust on to all it signs.  Time and CRL are not
 * looked at: an expiry or a revocation ends with the next file, the
 * chain stays.
 */
static int cluster_apart(const struct api_trust *t, X509_STORE *store, STACK_OF(X509) *cas,
			 STACK_OF(X509) *cluster, struct perr *e)
{
	const char *file = t->path[TRUST_CLUSTER];
	char name[256];
	int i, j, rc = 0;

	for (j = 0; j < sk_X509_num(cluster) && rc == 0; j++) {
		X509 *x = sk_X509_value(cluster, j);
		X509_STORE_CTX *ctx;

		for (i = 0; i < sk_X509_num(cas) && rc == 0; i++)
			if (EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(cas, i)), X509_get0_pubkey(x)) == 1)
				rc = perr(e, -EINVAL, "[api] client-ca %s: holds the [trust] CA, the cluster's, "
					  "which also signs node and kubelet certificates: operators need a "
					  "CA of their own", t->path[TRUST_CA]);
		if (rc < 0)
			break;
		ctx = X509_STORE_CTX_new();
		if (ctx == NULL || X509_STORE_CTX_init(ctx, store, x, cluster) != 1) {
			rc = perr(e, -EINVAL, "[api] client-ca: out of memory");
		} else {
			X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
			if (X509_verify_cert(ctx) == 1) {
				X509_NAME_oneline(X509_get_subject_name(x), name, sizeof name);
				rc = perr(e, -EINVAL, "[api] client-ca %s: the [trust] CA %s (%s%s) chains "
					  "to it, and so would every kubelet's certificate: name the operators' "
					  "own CA (an intermediate is enough when both share a root)",
					  t->path[TRUST_CA], name, file[0] != '\0' ? "[trust] ca-file " : "[trust] ca",
					  file);
			}
		}
		X509_STORE_CTX_free(ctx);
	}
	ERR_clear_error();
	return rc;
}

/* Every file read and checked into a new store and list; T changed only
 * when all of them load. */
static int load_all(struct api_trust *t, struct perr *e)
{
	struct trust_stamp stamp[TRUST_FILES];
	STACK_OF(X509) *cas = NULL, *cluster = NULL;
	STACK_OF(X509_CRL) *crls = NULL;
	unsigned char (*allow)[TRUST_SHA256] = NULL;
	X509_STORE *store = NULL;
	size_t nallow = 0, len = 0;
	char *text = NULL, why[256];
	int i, rc;

	memset(stamp, 0, sizeof stamp);
	rc = read_one(t, TRUST_CA, &text, &len, &stamp[TRUST_CA], e);
	if (rc < 0)
		goto err;
	cas = pem_certs(text, len);
	free(text);
	text = NULL;
	if (cas == NULL) {
		rc = perr(e, -EINVAL, "[api] client-ca %s: no PEM certificate in it", t->path[TRUST_CA]);
		goto err;
	}
	store = X509_STORE_new();
	if (store == NULL) {
		rc = perr(e, -EINVAL, "[api] client-ca: out of memory");
		goto err;
	}
	for (i = 0; i < sk_X509_num(cas); i++)
		X509_STORE_add_cert(store, sk_X509_value(cas, i));
	/* A CA of client-ca is trusted as it is, root or not: a site whose
	 * operators' CA shares a root with the cluster's names that
	 * intermediate alone. */
	X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	rc = cluster_load(t, &cluster, &stamp[TRUST_CLUSTER], e);
	if (rc == 0)
		rc = cluster_apart(t, store, cas, cluster, e);
	if (rc < 0)
		goto err;
	if (t->path[TRUST_CRL][0] != '\0') {
		rc = read_one(t, TRUST_CRL, &text, &len, &stamp[TRUST_CRL], e);
		if (rc < 0)
			goto err;
		crls = crls_of(text, len);
		free(text);
		text = NULL;
		rc = -EINVAL;
		if (crls == NULL) {
			perr(e, -EINVAL, "[api] crl %s: not a CRL (PEM or DER)", t->path[TRUST_CRL]);
			goto err;
		}
		for (i = 0; i < sk_X509_CRL_num(crls); i++) {
			if (!crl_from(sk_X509_CRL_value(crls, i), cas)) {
				perr(e, -EINVAL, "[api] crl %s: not signed by a CA of [api] client-ca",
				     t->path[TRUST_CRL]);
				goto err;
			}
			X509_STORE_add_crl(store, sk_X509_CRL_value(crls, i));
		}
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	}
	if (t->path[TRUST_ALLOW][0] != '\0') {
		rc = read_one(t, TRUST_ALLOW, &text, &len, &stamp[TRUST_ALLOW], e);
		if (rc < 0)
			goto err;
		rc = trust_fingerprints(text, len, &allow, &nallow, why, sizeof why);
		free(text);
		text = NULL;
		if (rc < 0) {
			perr(e, -EINVAL, "[api] allow-file %s: %s", t->path[TRUST_ALLOW], why);
			goto err;
		}
	}
	X509_STORE_free(t->store);
	free(t->allow);
	t->store = store;
	t->allow = allow;
	t->nallow = nallow;
	memcpy(t->stamp, stamp, sizeof stamp);
	t->why[0] = '\0';
	sk_X509_pop_free(cas, X509_free);
	sk_X509_pop_free(cluster, X509_free);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	return 0;
err:
	free(text);
	X509_STORE_free(store);
	sk_X509_pop_free(cas, X509_free);
	sk_X509_pop_free(cluster, X509_free);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	return rc < 0 ? rc : -EINVAL;
}

/* trust_load: every file at start; 0, or -errno with E saying which
 * and why (a client CA that is, or takes in, the [trust] CA among them). */
int trust_load(struct api_trust *t, struct perr *e)
{
	return load_all(t, e);
}

/*
 * trust_refresh: read the files again if any changed since they were
 * read (or since a read failed).  Returns 1 when they were read again, 0
 * when nothing changed, -errno when they no longer load: the store is
 * then dropped and every client refused, said once in LOG.
 */
int trust_refresh(struct api_trust *t, FILE *log)
{
	struct trust_stamp now;
	struct stat st;
	struct perr e;
	int kind, changed = 0;

	for (kind = 0; kind < TRUST_FILES; kind++) {
		if (t->path[kind][0] == '\0')
			continue;
		memset(&now, 0, sizeof now);
		if (stat(t->path[kind], &st) == 0)
			stamp_of(&st, &now);
		if (!stamp_same(&now, &t->stamp[kind]))
			changed = 1;
	}
	if (!changed)
		return 0;
	if (load_all(t, &e) == 0) {
		fprintf(log, "api: [api] client-ca, crl and allow-file read again\n");
		return 1;
	}
	/* Remember what failed, so that it is said and tried once per change. */
	for (kind = 0; kind < TRUST_FILES; kind++) {
		memset(&t->stamp[kind], 0, sizeof t->stamp[kind]);
		if (t->path[kind][0] != '\0' && stat(t->path[kind], &st) == 0)
			stamp_of(&st, &t->stamp[kind]);
	}
	X509_STORE_free(t->store);
	t->store = NULL;
	snprintf(t->why, sizeof t->why, "%.*s", (int)sizeof t->why - 1, e.msg);
	fprintf(log, "api: %s: every client refused until it loads\n", t->why);
	return -EINVAL;
}

/* trust_allows: 1 when CERT is on the allow-list, or there is none; its
 * fingerprint in HEX either way. */
int trust_allows(const struct api_trust *t, X509 *cert, char *hex, size_t size)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t i;

	if (X509_digest(cert, EVP_sha256(), d, &n) != 1 || n != TRUST_SHA256) {
		snprintf(hex, size, "?");
		return 0;
	}
	hex_of(d, hex, size);
	if (t->path[TRUST_ALLOW][0] == '\0')
		return 1;
	for (i = 0; i < t->nallow; i++)
		if (memcmp(t->allow[i], d, TRUST_SHA256) == 0)
			return 1;
	return 0;
}

void trust_free(struct api_trust *t)
{
	X509_STORE_free(t->store);
	free(t->allow);
	t->store = NULL;
	t->allow = NULL;
	t->nallow = 0;
}
