/*
 * key.c: Cairn's signing keys, all through OpenSSL's EVP interface.
 * Ed25519 by default; ECDSA P-256 (SHA-256, DER signatures) for the
 * hardware tokens that lack Ed25519.  A private key is named by a
 * reference OpenSSL's store opens: a PEM file, or a provider URI such as
 * "pkcs11:..." when a PKCS#11 provider is configured, so a site's token
 * signs without the key ever being a file.  A key's id is the sha256 of
 * its DER SubjectPublicKeyInfo.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/store.h>
#include <openssl/x509.h>

#include "key.h"
#include "text.h"
#include "fileio.h"
#include "sha256.h"

static const char *ossl_why(void)
{
	static char buf[256];
	unsigned long code = ERR_get_error();

	if (code == 0)
		return "OpenSSL gave no reason";
	ERR_error_string_n(code, buf, sizeof buf);
	ERR_clear_error();
	return buf;
}

/* The algorithm's name, or NULL for a key Cairn does not use. */
static const char *alg_of(EVP_PKEY *pk)
{
	char group[32];
	size_t n = 0;

	if (EVP_PKEY_is_a(pk, "ED25519"))
		return "ed25519";
	if (EVP_PKEY_is_a(pk, "EC") &&
	    EVP_PKEY_get_utf8_string_param(pk, "group", group, sizeof group, &n) == 1 &&
	    strcmp(group, "prime256v1") == 0)
		return "ecdsa-p256";
	return NULL;
}

static int fill(EVP_PKEY *pk, struct pubkey *k)
{
	unsigned char der[KEY_DER_MAX], *p = der;
	uint8_t sum[32];
	int n = i2d_PUBKEY(pk, NULL);

	k->alg = alg_of(pk);
	if (k->alg == NULL || n <= 0 || n > KEY_DER_MAX)
		return -EINVAL;
	n = i2d_PUBKEY(pk, &p);
	if (n <= 0 || sha256_buf(der, (size_t)n, sum) < 0)
		return -EINVAL;
	text_hex(sum, 32, k->id);
	k->pkey = pk;
	return 0;
}

/*
 * key_generate: a new key pair, DIR/NAME.key (PKCS#8 PEM, mode 0600,
 * never overwritten) and DIR/NAME.pub (one "key ALG HEX" line, as a root
 * document lists it).
 */
int key_generate(const char *alg, const char *dir, const char *name, struct perr *e)
{
	EVP_PKEY *pk = NULL;
	struct pubkey k;
	char path[4096], line[2 * KEY_DER_MAX + 64];
	FILE *f = NULL;
	int fd, rc = -EINVAL;

	if (strcmp(alg, "ed25519") == 0)
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	else if (strcmp(alg, "ecdsa-p256") == 0)
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else
		return perr(e, -EINVAL, "%s: not a key algorithm (ed25519 or ecdsa-p256)", alg);
	if (pk == NULL)
		return perr(e, -EIO, "key generation: %s", ossl_why());
	if (fill(pk, &k) < 0 || key_public_text(&k, line, sizeof line) < 0) {
		rc = perr(e, -EIO, "key generation: %s", ossl_why());
		goto err;
	}
	if (file_mkdirs(AT_FDCWD, dir, 0700) < 0 ||
	    snprintf(path, sizeof path, "%s/%s.key", dir, name) >= (int)sizeof path) {
		rc = perr(e, -errno, "%s: cannot make the key directory", dir);
		goto err;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = perr(e, -errno, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto err;
	}
	if (PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL) != 1 || fflush(f) != 0 ||
	    fsync(fileno(f)) < 0) {
		rc = perr(e, -EIO, "%s: cannot write the key", path);
		fclose(f);
		unlink(path);
		goto err;
	}
	fclose(f);
	snprintf(path, sizeof path, "%s/%s.pub", dir, name);
	snprintf(line + strlen(line), sizeof line - strlen(line), "\n");
	rc = file_write_at(AT_FDCWD, path, line, strlen(line), 0644);
	if (rc < 0)
		perr(e, rc, "%s: %s", path, strerror(-rc));
err:
	EVP_PKEY_free(pk);
	return rc;
}

/* key_load_private: the private key ref names (a file or a store URI). */
int key_load_private(const char *ref, struct pubkey *k, struct perr *e)
{
	OSSL_STORE_CTX *s;
	OSSL_STORE_INFO *info;
	EVP_PKEY *pk = NULL;
	char uri[4200];

	memset(k, 0, sizeof *k);
	/* A plain path is a file; "scheme:..." goes to the provider that
	 * claims the scheme (file:, pkcs11:, ...). */
	snprintf(uri, sizeof uri, "%s", ref);
	s = OSSL_STORE_open(uri, NULL, NULL, NULL, NULL);
	if (s == NULL)
		return perr(e, -ENOENT, "%s: cannot open the key: %s", ref, ossl_why());
	OSSL_STORE_expect(s, OSSL_STORE_INFO_PKEY);
	while (pk == NULL && !OSSL_STORE_eof(s)) {
		info = OSSL_STORE_load(s);
		if (info == NULL)
			break;
		if (OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY)
			pk = OSSL_STORE_INFO_get1_PKEY(info);
		OSSL_STORE_INFO_free(info);
	}
	OSSL_STORE_close(s);
	if (pk == NULL)
		return perr(e, -ENOENT, "%s: holds no private key", ref);
	if (fill(pk, k) < 0) {
		EVP_PKEY_free(pk);
		return perr(e, -EINVAL, "%s: not an Ed25519 or ECDSA P-256 key", ref);
	}
	return 0;
}

/* key_public: a public key from its DER SubjectPublicKeyInfo, which must
 * be of the algorithm named. */
int key_public(const char *alg, const uint8_t *der, size_t len, struct pubkey *k)
{
	const unsigned char *p = der;
	EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)len);

	memset(k, 0, sizeof *k);
	if (pk == NULL) {
		ERR_clear_error();
		return -EINVAL;
	}
	if (p != der + len || fill(pk, k) < 0 || strcmp(k->alg, alg) != 0) {
		EVP_PKEY_free(pk);
		memset(k, 0, sizeof *k);
		return -EINVAL;
	}
	return 0;
}

/* key_public_text: "key ALG HEXDER", the line a root document carries. */
int key_public_text(const struct pubkey *k, char *out, size_t size)
{
	unsigned char der[KEY_DER_MAX], *p = der;
	int n = i2d_PUBKEY(k->pkey, &p);
	int head;

	if (n <= 0 || size < 2 * (size_t)n + 32)
		return -EINVAL;
	head = snprintf(out, size, "key %s ", k->alg);
	text_hex(der, (size_t)n, out + head);
	return 0;
}

int key_sign(const struct pubkey *k, const void *msg, size_t len, uint8_t *sig, size_t *siglen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	const EVP_MD *md = strcmp(k->alg, "ed25519") == 0 ? NULL : EVP_sha256();
	size_t n = KEY_SIG_MAX;
	int ok;

	ok = c != NULL && EVP_DigestSignInit(c, NULL, md, NULL, k->pkey) == 1 &&
	     EVP_DigestSign(c, sig, &n, msg, len) == 1;
	EVP_MD_CTX_free(c);
	if (!ok) {
		ERR_clear_error();
		return -EIO;
	}
	*siglen = n;
	return 0;
}

/* key_verify: 1 when sig is k's signature of msg, else 0. */
int key_verify(const struct pubkey *k, const void *msg, size_t len, const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	const EVP_MD *md = strcmp(k->alg, "ed25519") == 0 ? NULL : EVP_sha256();
	int ok;

	ok = c != NULL && EVP_DigestVerifyInit(c, NULL, md, NULL, k->pkey) == 1 &&
	     EVP_DigestVerify(c, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(c);
	ERR_clear_error();
	return ok;
}

void key_free(struct pubkey *k)
{
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
}
