/* sha256.c: SHA-256 through OpenSSL's EVP interface. */
#include <errno.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "sha256.h"

int sha256_init(struct sha256 *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		h->ctx = NULL;
		return -ENOMEM;
	}
	h->ctx = c;
	return 0;
}

int sha256_update(struct sha256 *h, const void *buf, size_t len)
{
	return EVP_DigestUpdate(h->ctx, buf, len) == 1 ? 0 : -EIO;
}

/* sha256_final: the digest into out, and the context freed. */
int sha256_final(struct sha256 *h, uint8_t out[32])
{
	unsigned n = 0;
	int ok = EVP_DigestFinal_ex(h->ctx, out, &n) == 1 && n == 32;

	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
	return ok ? 0 : -EIO;
}

int sha256_buf(const void *buf, size_t len, uint8_t out[32])
{
	struct sha256 h;

	if (sha256_init(&h) < 0)
		return -ENOMEM;
	if (sha256_update(&h, buf, len) < 0) {
		EVP_MD_CTX_free(h.ctx);
		return -EIO;
	}
	return sha256_final(&h, out);
}
