/* api_trust_test.c: the API's trust: allow-file fingerprints read as
 * openssl prints them and refused with their line when not; the client
 * CA, its CRL (PEM or DER) and the allow-file read again when they
 * change; a CRL that does not load, or comes from another CA, refuses
 * everyone; a client CA with the cluster CA's key, or one the cluster
 * CA chains to, is refused at load and on reload, and so is a [trust]
 * ca-file that does not load; an intermediate alone is a client CA. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "api/api_trust.h"
#include "check.h"

static char dir[] = "/tmp/api_trust_test.XXXXXX", path[3][300], err[600];
static struct perr pe;
static struct nodeconf conf;

static EVP_PKEY *key_new(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* A certificate for KEY named CN, signed by ISSUER (NULL: itself), a
 * CA when CA or self-signed. */
static X509 *cert_make(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, int ca)
{
	static long serial = 1;
	X509 *x = X509_new();

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(issuer != NULL ? issuer : x));
	X509_set_pubkey(x, key);
	if (issuer == NULL || ca) {
		X509V3_CTX ctx;
		X509_EXTENSION *e;

		X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
		e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	X509_sign(x, issuer_key != NULL ? issuer_key : key, EVP_sha256());
	return x;
}

static X509 *cert_new(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key)
{
	return cert_make(key, cn, issuer, issuer_key, 0);
}

/* CA's CRL, REVOKED on it when not NULL. */
static X509_CRL *crl_new(X509 *ca, EVP_PKEY *key, X509 *revoked)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
	X509_gmtime_adj(t, -60);
	X509_CRL_set1_lastUpdate(crl, t);
	X509_gmtime_adj(t, 86400);
	X509_CRL_set1_nextUpdate(crl, t);
	if (revoked != NULL) {
		X509_REVOKED *r = X509_REVOKED_new();

		X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked));
		X509_gmtime_adj(t, -60);
		X509_REVOKED_set_revocationDate(r, t);
		X509_CRL_add0_revoked(crl, r);
	}
	ASN1_TIME_free(t);
	X509_CRL_sort(crl);
	X509_CRL_sign(crl, key, EVP_sha256());
	return crl;
}

/* Put TEXT (or, when NULL, X or CRL) at P through a new file, as a site's
 * tools do, so that the change is seen. */
static void put(const char *p, const char *text, X509 *x, X509_CRL *crl, int der)
{
	char tmp[320];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.new", p);
	f = fopen(tmp, "w");
	if (text != NULL)
		fputs(text, f);
	else if (x != NULL)
		PEM_write_X509(f, x);
	else if (der)
		i2d_X509_CRL_fp(f, crl);
	else
		PEM_write_X509_CRL(f, crl);
	fclose(f);
	CHECK(rename(tmp, p) == 0);
}

static void fingerprint(X509 *x, char *out, size_t size, int colons)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n, i;
	size_t k = 0;

	X509_digest(x, EVP_sha256(), d, &n);
	for (i = 0; i < n; i++)
		k += (size_t)snprintf(out + k, size - k, !colons ? "%02x" : i ? ":%02X" : "%02X", d[i]);
}

/* Does STORE take LEAF?  Its error when not. */
static int verify(X509_STORE *store, X509 *leaf)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int rc;

	X509_STORE_CTX_init(ctx, store, leaf, NULL);
	rc = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	return rc;
}

static void test_fingerprints(void)
{
	static const char good[] =
		"# operators\n"
		"\n"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
		"  SHA256 Fingerprint=01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
		"01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EE   # alice\n"
		"sha256 Fingerprint=FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";
	static const struct { const char *text, *why; } bad[] = {
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n", "line 1: not a SHA-256" },
		{ "# x\n0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg\n", "line 2: not a SHA-256" },
		{ "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CDE:F\n",
		  "line 1: not a SHA-256" },
		{ "md5 Fingerprint=0123456789abcdef0123456789abcdef\n", "line 1: not a SHA-256" },
		{ "ab\0cd\n", "NUL" },
	};
	unsigned char (*fps)[TRUST_SHA256];
	size_t n, i;

	CHECK(trust_fingerprints(good, strlen(good), &fps, &n, err, sizeof err) == 0 && n == 3);
	CHECK(fps != NULL && fps[0][0] == 0x01 && fps[0][31] == 0xef && fps[1][31] == 0xee && fps[2][5] == 0xff);
	free(fps);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t len = bad[i].why[0] == 'N' ? 6 : strlen(bad[i].text);

		CHECK(trust_fingerprints(bad[i].text, len, &fps, &n, err, sizeof err) == -EINVAL && fps == NULL);
		CHECK(strstr(err, bad[i].why) != NULL);
	}
}

static void test_files(void)
{
	EVP_PKEY *ca_key = key_new(), *other_key = key_new(), *k1 = key_new(), *k2 = key_new();
	X509 *ca = cert_new(ca_key, "operators", NULL, NULL), *other = cert_new(other_key, "elsewhere", NULL, NULL);
	X509 *op1 = cert_new(k1, "op1", ca, ca_key), *op2 = cert_new(k2, "op2", ca, ca_key);
	X509_CRL *none = crl_new(ca, ca_key, NULL), *revoked = crl_new(ca, ca_key, op2);
	X509_CRL *foreign = crl_new(other, other_key, NULL);
	struct api_trust t;
	char fp1[100], fp2[100], text[300], hex[100];
	FILE *log = fopen("/dev/null", "w");

	snprintf(conf.api_client_ca, sizeof conf.api_client_ca, "%s", path[TRUST_CA]);
	snprintf(conf.api_crl, sizeof conf.api_crl, "%s", path[TRUST_CRL]);
	snprintf(conf.api_allow, sizeof conf.api_allow, "%s", path[TRUST_ALLOW]);
	fingerprint(op1, fp1, sizeof fp1, 0);
	fingerprint(op2, fp2, sizeof fp2, 1);
	put(path[TRUST_CA], NULL, ca, NULL, 0);
	put(path[TRUST_CRL], NULL, NULL, none, 0);
	snprintf(text, sizeof text, "%s\n", fp1);
	put(path[TRUST_ALLOW], text, NULL, NULL, 0);
	trust_init(&t, &conf);
	CHECK(trust_load(&t, &pe) == 0 && t.store != NULL);
	CHECK(verify(t.store, op1) == X509_V_OK && verify(t.store, op2) == X509_V_OK);
	CHECK(trust_allows(&t, op1, hex, sizeof hex) == 1);
	CHECK(trust_allows(&t, op2, hex, sizeof hex) == 0 && strcmp(hex, fp2) == 0);
	CHECK(trust_refresh(&t, log) == 0);			/* nothing changed */

	/* op2 listed and revoked, in DER: both read again. */
	snprintf(text, sizeof text, "%s\nsha256 Fingerprint=%s\n", fp1, fp2);
	put(path[TRUST_ALLOW], text, NULL, NULL, 0);
	put(path[TRUST_CRL], NULL, NULL, revoked, 1);
	CHECK(trust_refresh(&t, log) == 1 && t.store != NULL);
	CHECK(trust_allows(&t, op2, hex, sizeof hex) == 1);
	CHECK(verify(t.store, op2) == X509_V_ERR_CERT_REVOKED && verify(t.store, op1) == X509_V_OK);

	/* A CRL of another CA, then one that is no CRL: no one gets in, and why is kept. */
	put(path[TRUST_CRL], NULL, NULL, foreign, 0);
	CHECK(trust_refresh(&t, log) == -EINVAL && t.store == NULL && strstr(t.why, "not signed by") != NULL);
	CHECK(trust_refresh(&t, log) == 0 && t.store == NULL);	/* said once */
	put(path[TRUST_CRL], "-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n", NULL, NULL, 0);
	CHECK(trust_refresh(&t, log) == -EINVAL && strstr(t.why, "not a CRL (PEM or DER)") != NULL);
	put(path[TRUST_CRL], NULL, NULL, revoked, 0);
	CHECK(trust_refresh(&t, log) == 1 && t.store != NULL && verify(t.store, op2) == X509_V_ERR_CERT_REVOKED);

	/* Gone: refused, and said which file. */
	unlink(path[TRUST_CA]);
	CHECK(trust_refresh(&t, log) == -EINVAL && strstr(t.why, "client-ca") != NULL);
	trust_free(&t);

	/* No CRL, no allow-file: any certificate of the CA, none of another's. */
	put(path[TRUST_CA], NULL, ca, NULL, 0);
	conf.api_crl[0] = conf.api_allow[0] = '\0';
	trust_init(&t, &conf);
	CHECK(trust_load(&t, &pe) == 0 && trust_allows(&t, op2, hex, sizeof hex) == 1);
	CHECK(verify(t.store, other) != X509_V_OK);
	trust_free(&t);

	/* The cluster's CA key as the client CA, under another name: refused. */
	{
		BIO *b = BIO_new(BIO_s_mem());
		char *pem;
		long n;

		PEM_write_bio_X509(b, ca);
		n = BIO_get_mem_data(b, &pem);
		snprintf(conf.ca_pem, sizeof conf.ca_pem, "%.*s", (int)n, pem);
		BIO_free(b);
	}
	put(path[TRUST_CA], NULL, other, NULL, 0);
	trust_init(&t, &conf);
	CHECK(trust_load(&t, &pe) == 0);
	trust_free(&t);
	X509_free(other);
	other = cert_new(ca_key, "not the cluster, honest", NULL, NULL);
	put(path[TRUST_CA], NULL, other, NULL, 0);
	trust_init(&t, &conf);
	CHECK(trust_load(&t, &pe) == -EINVAL && strstr(pe.msg, "holds the [trust] CA") != NULL);
	trust_free(&t);
	conf.ca_pem[0] = '\0';

	fclose(log);
	X509_CRL_free(none);
	X509_CRL_free(revoked);
	X509_CRL_free(foreign);
	X509_free(ca);
	X509_free(other);
	X509_free(op1);
	X509_free(op2);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(other_key);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
}

/* One root R over the cluster's CA K and the operators' O. */
static void test_shared_root(void)
{
	EVP_PKEY *rk = key_new(), *kk = key_new(), *ok = key_new(), *k1 = key_new(), *k2 = key_new();
	EVP_PKEY *k3 = key_new();
	X509 *root = cert_new(rk, "site root", NULL, NULL);
	X509 *cluster = cert_make(kk, "cluster", root, rk, 1), *ops = cert_make(ok, "operators", root, rk, 1);
	X509 *op = cert_new(k1, "op", ops, ok), *kubelet = cert_new(k2, "system:node:evil", cluster, kk);
	X509 *under_ops = cert_make(k3, "cluster, now under operators", ops, ok, 1);
	struct api_trust t;
	char cluster_file[320];
	FILE *log = fopen("/dev/null", "w");

	snprintf(cluster_file, sizeof cluster_file, "%s/cluster.pem", dir);
	snprintf(conf.ca_file, sizeof conf.ca_file, "%s", cluster_file);
	snprintf(conf.api_client_ca, sizeof conf.api_client_ca, "%s", path[TRUST_CA]);
	conf.ca_pem[0] = conf.api_crl[0] = conf.api_allow[0] = '\0';
	put(cluster_file, NULL, cluster, NULL, 0);

	/* The root as client CA: the cluster CA chains to it, refused, both named. */
	put(path[TRUST_CA], NULL, root, NULL, 0);
	trust_init(&t, &conf);
	CHECK(trust_load(&t, &pe) == -EINVAL && strstr(pe.msg, "chains to it") != NULL);
	CHECK(strstr(pe.msg, path[TRUST_CA]) != NULL && strstr(pe.msg, cluster_file) != NULL);

	/* The operators' intermediate alone: their certificates in, the kubelet's not. */
	put(path[TRUST_CA], NULL, ops, NULL, 0);
	CHECK(trust_load(&t, &pe) == 0 && t.store != NULL);
	CHECK(verify(t.store, op) == X509_V_OK && verify(t.store, kubelet) != X509_V_OK);

	/* The root put in while it runs: no one gets in, and why is kept. */
	put(path[TRUST_CA], NULL, root, NULL, 0);
	CHECK(trust_refresh(&t, log) == -EINVAL && t.store == NULL && strstr(t.why, "chains to it") != NULL);
	put(path[TRUST_CA], NULL, ops, NULL, 0);
	CHECK(trust_refresh(&t, log) == 1 && t.store != NULL);

	/* The [trust] ca-file changed to a CA under the operators': seen, refused. */
	put(cluster_file, NULL, under_ops, NULL, 0);
	CHECK(trust_refresh(&t, log) == -EINVAL && strstr(t.why, "chains to it") != NULL);
	put(cluster_file, NULL, cluster, NULL, 0);
	CHECK(trust_refresh(&t, log) == 1 && t.store != NULL);
	trust_free(&t);

	/* A [trust] ca-file that does not load: no start. */
	snprintf(conf.ca_file, sizeof conf.ca_file, "%s/missing.pem", dir);
	trust_init(&t, &conf);
	CHECK(trust_load(&t, &pe) < 0 && strstr(pe.msg, "[trust] ca-file") != NULL &&
	      strstr(pe.msg, "No such file") != NULL);
	snprintf(conf.ca_file, sizeof conf.ca_file, "%s", cluster_file);
	put(cluster_file, "not a certificate\n", NULL, NULL, 0);
	CHECK(trust_load(&t, &pe) < 0 && strstr(pe.msg, "no PEM certificate") != NULL);
	trust_free(&t);
	conf.ca_file[0] = '\0';

	fclose(log);
	X509_free(root);
	X509_free(cluster);
	X509_free(ops);
	X509_free(op);
	X509_free(kubelet);
	X509_free(under_ops);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(kk);
	EVP_PKEY_free(ok);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(k3);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path[TRUST_CA], sizeof path[0], "%s/client-ca.pem", dir);
	snprintf(path[TRUST_CRL], sizeof path[0], "%s/ops.crl", dir);
	snprintf(path[TRUST_ALLOW], sizeof path[0], "%s/allow", dir);
	RUN(test_fingerprints);
	RUN(test_files);
	RUN(test_shared_root);
	check_rmtree(dir);
	return CHECK_DONE();
}
