/* sha256.h: SHA-256 through OpenSSL (pkg's digests, the agent's pins). */
#ifndef CAIRN_SHA256_H
#define CAIRN_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	void *ctx;				/* an EVP_MD_CTX */
};

int sha256_init(struct sha256 *h);
int sha256_update(struct sha256 *h, const void *buf, size_t len);
int sha256_final(struct sha256 *h, uint8_t out[32]);
int sha256_buf(const void *buf, size_t len, uint8_t out[32]);

#endif
