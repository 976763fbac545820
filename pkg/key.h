/* key.h: signing keys through OpenSSL: make, load, sign, verify. */
#ifndef CAIRN_PKG_KEY_H
#define CAIRN_PKG_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "perr.h"

#define KEY_SIG_MAX 160				/* Ed25519 64, ECDSA P-256 DER <= 72 */
#define KEY_DER_MAX 256				/* SubjectPublicKeyInfo, DER */

struct pubkey {
	char id[65];				/* sha256 of the DER public key, hex */
	const char *alg;			/* "ed25519" or "ecdsa-p256" */
	void *pkey;				/* an EVP_PKEY */
};

int key_generate(const char *alg, const char *dir, const char *name, struct perr *e);
int key_load_private(const char *ref, struct pubkey *k, struct perr *e);
int key_public(const char *alg, const uint8_t *der, size_t len, struct pubkey *k);
int key_public_text(const struct pubkey *k, char *out, size_t size);
int key_sign(const struct pubkey *k, const void *msg, size_t len, uint8_t *sig, size_t *siglen);
int key_verify(const struct pubkey *k, const void *msg, size_t len, const uint8_t *sig, size_t siglen);
void key_free(struct pubkey *k);

#endif
