/* pkgrepo_test.c: the repository's parsers and trust rules: signed
 * documents (root, release), thresholds over real Ed25519 and ECDSA P-256
 * signatures, the index, the installed db, and version order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "doc.h"
#include "index.h"
#include "key.h"
#include "text.h"
#include "version.h"

#define SUM "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char dir[] = "/tmp/pkgrepo_test.XXXXXX";
static struct pubkey k[3];
static char keyline[3][600];
static char err[256];

static void keys_make(void)
{
	static const char *const algs[] = { "ed25519", "ecdsa-p256", "ed25519" };
	char path[128];
	struct perr e = { "" };
	int i;

	for (i = 0; i < 3; i++) {
		char name[8];

		snprintf(name, sizeof name, "k%d", i);
		if (key_generate(algs[i], dir, name, &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			exit(1);
		}
		snprintf(path, sizeof path, "%s/%s.key", dir, name);
		if (key_load_private(path, &k[i], &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			exit(1);
		}
		key_public_text(&k[i], keyline[i], sizeof keyline[i]);
	}
}

/* text + a signature line by key i, appended in place. */
static void sign(char *text, size_t size, int i)
{
	struct doc d;
	uint8_t sig[KEY_SIG_MAX];
	size_t siglen, n = strlen(text);

	if (doc_parse(text, n, &d, err, sizeof err) != 0 ||
	    key_sign(&k[i], text, d.signed_len, sig, &siglen) != 0) {
		fprintf(stderr, "sign: %s\n", err);
		exit(1);
	}
	doc_free(&d);
	n += (size_t)snprintf(text + n, size - n, "signature %s ", k[i].id);
	text_hex(sig, siglen, text + n);
	strcat(text, "\n");
}

static void root_text(char *buf, size_t size, int threshold)
{
	snprintf(buf, size, "cairn-root 1\nversion 1\nexpires 4000000000\nthreshold %d\n%s\n%s\n%s\n",
		 threshold, keyline[0], keyline[1], keyline[2]);
}

static void test_root_threshold(void)
{
	char text[8192];
	struct doc root;
	int bad;

	root_text(text, sizeof text, 2);
	CHECK(doc_parse(text, strlen(text), &root, err, sizeof err) == 0);
	CHECK(root.kind == DOC_ROOT && root.nkeys == 3 && root.threshold == 2);
	CHECK(strcmp(root.keys[1].alg, "ecdsa-p256") == 0);
	CHECK(doc_signers(&root, &root, text, &bad) == 0);
	doc_free(&root);
	sign(text, sizeof text, 1);
	CHECK(doc_parse(text, strlen(text), &root, err, sizeof err) == 0);
	CHECK(doc_signers(&root, &root, text, &bad) == 1 && bad == 0);
	doc_free(&root);
	/* The same key twice counts once. */
	{
		char twice[8192];
		const char *sig = strstr(text, "signature ");

		snprintf(twice, sizeof twice, "%s%s", text, sig);
		CHECK(doc_parse(twice, strlen(twice), &root, err, sizeof err) == 0);
		CHECK(doc_signers(&root, &root, twice, &bad) == 1);
		doc_free(&root);
	}
	sign(text, sizeof text, 0);
	CHECK(doc_parse(text, strlen(text), &root, err, sizeof err) == 0);
	CHECK(doc_signers(&root, &root, text, &bad) == 2);
	doc_free(&root);
}

static void test_signature_covers_everything(void)
{
	char text[8192], *v;
	struct doc root;
	int bad;

	root_text(text, sizeof text, 1);
	sign(text, sizeof text, 0);
	v = strstr(text, "threshold 1");
	v[10] = '2';	/* the threshold raised after signing */
	CHECK(doc_parse(text, strlen(text), &root, err, sizeof err) == 0);
	CHECK(doc_signers(&root, &root, text, &bad) == 0 && bad == 1);
	doc_free(&root);
}

static void test_release(void)
{
	char text[8192], roottext[8192];
	struct doc rel, root;
	int bad;

	root_text(roottext, sizeof roottext, 1);
	CHECK(doc_parse(roottext, strlen(roottext), &root, err, sizeof err) == 0);
	snprintf(text, sizeof text, "cairn-release 1\nversion 7\nexpires 1\nindex 123 " SUM "\n");
	sign(text, sizeof text, 2);
	CHECK(doc_parse(text, strlen(text), &rel, err, sizeof err) == 0);
	CHECK(rel.kind == DOC_RELEASE && rel.version == 7 && rel.index_size == 123 && rel.expires == 1);
	CHECK(doc_signers(&root, &rel, text, &bad) == 1);
	/* A root's signature over a release counts only for that release's bytes. */
	text[strlen("cairn-release 1\nversion ")] = '8';
	doc_free(&rel);
	CHECK(doc_parse(text, strlen(text), &rel, err, sizeof err) == 0);
	CHECK(doc_signers(&root, &rel, text, &bad) == 0);
	doc_free(&rel);
	doc_free(&root);
}

static int refused(const char *text, const char *want)
{
	struct doc d;
	int rc = doc_parse(text, strlen(text), &d, err, sizeof err);

	doc_free(&d);
	if (rc == 0 || strstr(err, want) == NULL) {
		fprintf(stderr, "doc: wanted '%s', got '%s'\n", want, rc ? err : "accepted");
		return 0;
	}
	return 1;
}

static void test_doc_refusals(void)
{
	char text[8192];

	CHECK(refused("cairn-thing 1\n", "not 'cairn-root 1'"));
	CHECK(refused("cairn-release 1\nversion 01\n", "needs 'version'"));
	CHECK(refused("cairn-release 1\nversion 0\n", "needs 'version'"));
	CHECK(refused("cairn-release 1\nversion 1\nexpires 5\n", "ends before its 'index'"));
	CHECK(refused("cairn-release 1\nversion 1\nexpires 5\nindex 1 " SUM "\nextra 1\n", "fourth and last"));
	CHECK(refused("cairn-release 1\nversion 1\nexpires 5\nindex 1 " SUM, "no newline at the end"));
	CHECK(refused("cairn-release 1\nversion 1\nexpires 5\nindex 1 " SUM "\nsignature 12 34\n",
		      "signature KEYID HEXSIG"));
	CHECK(refused("cairn-release 1\nversion 1\nexpires 5\nindex 1 " SUM "\nsignature " SUM " ab\n"
		      "version 2\n", "only signature lines may follow"));
	/* Found by doc_fuzz: signatures alone, or where the header lines belong. */
	CHECK(refused("signature " SUM " 1e\n", "a signature before the document"));
	CHECK(refused("cairn-release 1\nversion 1\nsignature " SUM " ab\nsignature " SUM " cd\n",
		      "ends before its 'index'"));
	CHECK(refused("cairn-root 1\nversion 1\nsignature " SUM " ab\n", "ends before its 'expires'"));
	CHECK(refused("cairn-root 1\nversion 1\nexpires 5\nthreshold 0\n", "threshold"));
	CHECK(refused("cairn-root 1\nversion 1\nexpires 5\nthreshold 2\nkey ed25519 00\n",
		      "not a valid ed25519 public key"));
	CHECK(refused("cairn-root 1\nversion 1\nexpires 5\nthreshold 1\nkey rsa 00\n", "not ed25519 or ecdsa-p256"));
	snprintf(text, sizeof text, "cairn-root 1\nversion 1\nexpires 5\nthreshold 1\n%s\n%s\n", keyline[0],
		 keyline[0]);
	CHECK(refused(text, "listed twice"));
	snprintf(text, sizeof text, "cairn-root 1\nversion 1\nexpires 5\nthreshold 2\n%s\n", keyline[0]);
	CHECK(refused(text, "fewer than its threshold"));
	/* An Ed25519 key presented as P-256 is refused. */
	snprintf(text, sizeof text, "cairn-root 1\nversion 1\nexpires 5\nthreshold 1\nkey ecdsa-p256 %s\n",
		 keyline[0] + strlen("key ed25519 "));
	CHECK(refused(text, "not a valid ecdsa-p256 public key"));
}

static void test_index(void)
{
	char text[4096];
	struct index ix;

	snprintf(text, sizeof text, "cairn-index 1\npackage a 1.0 x86_64 10 " SUM "\ndepends b>=2\n"
		 "provides c\nconflicts d<1\npackage a 1.1 noarch 20 " SUM "\npackage b 2 x86_64 5 " SUM "\n");
	CHECK(index_parse(text, strlen(text), &ix, err, sizeof err) == 0);
	CHECK(ix.n == 3 && ix.pkgs[0].ndepends == 1 && ix.pkgs[0].nprovides == 1 && ix.pkgs[0].nconflicts == 1);
	CHECK(strcmp(ix.pkgs[0].rels[1].name, "c") == 0 && ix.pkgs[0].rels[2].op == PKG_LT);
	CHECK(ix.pkgs[1].size == 20 && strcmp(ix.pkgs[2].name, "b") == 0);
	index_free(&ix);
	snprintf(text, sizeof text, "cairn-index 1\npackage b 1 x86_64 1 " SUM "\npackage a 1 x86_64 1 " SUM "\n");
	CHECK(index_parse(text, strlen(text), &ix, err, sizeof err) < 0 && strstr(err, "out of order"));
	index_free(&ix);
	snprintf(text, sizeof text, "cairn-index 1\npackage a 1 x86_64 1 " SUM "\nprovides x\ndepends y\n");
	CHECK(index_parse(text, strlen(text), &ix, err, sizeof err) < 0 && strstr(err, "after a later kind"));
	index_free(&ix);
	snprintf(text, sizeof text, "cairn-index 1\npackage ../a 1 x86_64 1 " SUM "\n");
	CHECK(index_parse(text, strlen(text), &ix, err, sizeof err) < 0 && strstr(err, "needs 'package"));
	index_free(&ix);
	snprintf(text, sizeof text, "cairn-index 1\ndepends y\n");
	CHECK(index_parse(text, strlen(text), &ix, err, sizeof err) < 0 && strstr(err, "before any package"));
	index_free(&ix);
}

static void test_db(void)
{
	char text[1024];
	struct db db;

	snprintf(text, sizeof text, "cairn-db 1\ntxn 4\nworld a\nworld b\npackage a 1.0 " SUM "\n"
		 "package c 2 " SUM "\n");
	CHECK(db_parse(text, strlen(text), &db, err, sizeof err) == 0);
	CHECK(db.txn == 4 && db.nworld == 2 && db.n == 2 && strcmp(db.pkgs[1].version, "2") == 0);
	CHECK(db_find(&db, "c") == &db.pkgs[1] && db_find(&db, "b") == NULL);
	free(db.pkgs);
	free(db.world);
	snprintf(text, sizeof text, "cairn-db 1\ntxn 4\npackage a 1.0 " SUM "\nworld a\n");
	CHECK(db_parse(text, strlen(text), &db, err, sizeof err) < 0);
	free(db.pkgs);
	free(db.world);
	snprintf(text, sizeof text, "cairn-db 1\npackage a 1.0 " SUM "\n");
	CHECK(db_parse(text, strlen(text), &db, err, sizeof err) < 0 && strstr(err, "txn"));
	free(db.pkgs);
	free(db.world);
}

static void test_version_order(void)
{
	CHECK(version_cmp("1.0", "1.0") == 0);
	CHECK(version_cmp("1.10", "1.9") > 0);
	CHECK(version_cmp("1.0~rc1", "1.0") < 0);
	CHECK(version_cmp("1.0", "1.0a") < 0);
	CHECK(version_cmp("1.0a", "1.0+b") < 0);
	CHECK(version_cmp("2", "10") < 0);
	CHECK(version_cmp("1.01", "1.1") == 0);
	CHECK(version_cmp("6.12.117", "6.12.9") > 0);
	CHECK(version_match("1.2.5", PKG_GE, "1.2.5") && !version_match("1.2.4", PKG_GE, "1.2.5"));
	CHECK(version_match("0.8", PKG_LT, "0.9") && version_match("x", PKG_ANY, NULL));
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	keys_make();
	RUN(test_root_threshold);
	RUN(test_signature_covers_everything);
	RUN(test_release);
	RUN(test_doc_refusals);
	RUN(test_index);
	RUN(test_db);
	RUN(test_version_order);
	key_free(&k[0]);
	key_free(&k[1]);
	key_free(&k[2]);
	check_rmtree(dir);
	return CHECK_DONE();
}
