/* confsrc_test: where the node config comes from, in order, a named
 * source that fails never falls through to another, and a CAIRNCFG
 * medium not the node's own is taken only when its sha256 is pinned. */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "check.h"
#include "conf/confsrc.h"
#include "faketree.h"

static char root[128];
static int fetches;
static char fetched_ca[256];

/* The fake network: one URL serves a config; the rest fail. */
static int fake_fetch(const char *url, const char *ca, size_t max, char **text, size_t *len, struct perr *e)
{
	static const char body[] = "[node]\nhostname = from-url\n";

	(void)max;
	fetches++;
	snprintf(fetched_ca, sizeof fetched_ca, "%s", ca != NULL ? ca : "(pinned)");
	if (strcmp(url, "https://cfg.example/n1.conf") != 0) {
		return perr(e, -EIO, "cairn.config=%s: connection refused", url);
	}
	*text = strdup(body);
	*len = strlen(body);
	return 0;
}

static int find_in(const char *cmdline, const struct confsrc_medium *media, int n, struct conf_found *f, struct perr *e)
{
	struct confsrc s = { cmdline, root, media, n, fake_fetch };

	fetches = 0;
	return confsrc_find(&s, f, e);
}

/* medium: the node's own CAIRNCFG medium (the boot disk's ESP), or NULL. */
static int find(const char *cmdline, const char *medium, struct conf_found *f, struct perr *e)
{
	struct confsrc_medium m = { medium, 1 };

	return find_in(cmdline, &m, medium != NULL, f, e);
}

static void hex_of(const char *text, char hex[65])
{
	unsigned char sum[32];
	int i;

	EVP_Digest(text, strlen(text), sum, NULL, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", sum[i]);
}

static void test_order(void)
{
	struct conf_found f;
	struct perr e;
	char medium[256];

	tree_new(root, sizeof root, "confsrc");
	snprintf(medium, sizeof medium, "%s/medium", root);
	/* Nothing anywhere: no config, every default. */
	CHECK(find("console=ttyS0", NULL, &f, &e) == 0);
	CHECK(f.origin == CONF_NONE && f.len == 0 && f.text != NULL && f.text[0] == '\0');
	confsrc_free(&f);
	/* The image's own. */
	tree_put(root, "etc/cairn/node.conf", "[node]\nhostname = from-image\n");
	CHECK(find("console=ttyS0", NULL, &f, &e) == 0);
	CHECK(f.origin == CONF_IMAGE && strstr(f.text, "from-image") != NULL);
	CHECK(strcmp(f.where, "/etc/cairn/node.conf") == 0);
	confsrc_free(&f);
	/* A medium without node.conf (a disk's own ESP) gives none: the image's. */
	tree_put(root, "medium/EFI/BOOT/BOOTX64.EFI", "MZ");
	CHECK(find("console=ttyS0", medium, &f, &e) == 0);
	CHECK(f.origin == CONF_IMAGE && strstr(f.text, "from-image") != NULL);
	CHECK(strcmp(f.where, "/etc/cairn/node.conf") == 0);
	confsrc_free(&f);
	/* The boot medium beats the image. */
	tree_put(root, "medium/node.conf", "[node]\nhostname = from-medium\n");
	CHECK(find("console=ttyS0", medium, &f, &e) == 0);
	CHECK(f.origin == CONF_MEDIUM && strstr(f.text, "from-medium") != NULL);
	confsrc_free(&f);
	/* The command line beats both: a path (under the root) ... */
	tree_put(root, "boot/n1.conf", "[node]\nhostname = from-path\n");
	CHECK(find("cairn.config=/boot/n1.conf", medium, &f, &e) == 0);
	CHECK(f.origin == CONF_CMDLINE && strstr(f.text, "from-path") != NULL);
	CHECK(strcmp(f.where, "/boot/n1.conf") == 0);
	confsrc_free(&f);
	/* ... or a URL, checked against the CA the command line names. */
	CHECK(find("cairn.config=https://cfg.example/n1.conf cairn.config.ca=/etc/cairn/ca.pem", medium, &f, &e) == 0);
	CHECK(f.origin == CONF_CMDLINE && strstr(f.text, "from-url") != NULL && fetches == 1);
	CHECK(strcmp(fetched_ca, "/etc/cairn/ca.pem") == 0);
	confsrc_free(&f);
	check_rmtree(root);
}

static void test_pinned_by_sha256(void)
{
	static const char good[] = "cairn.config=https://cfg.example/n1.conf cairn.config.sha256=%s";
	struct conf_found f;
	struct perr e;
	char cmd[512], hex[65], first;
	unsigned char sum[32];
	int i;

	tree_new(root, sizeof root, "confsrc");
	EVP_Digest("[node]\nhostname = from-url\n", 27, sum, NULL, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", sum[i]);
	snprintf(cmd, sizeof cmd, good, hex);
	CHECK(find(cmd, NULL, &f, &e) == 0);
	CHECK(strcmp(fetched_ca, "(pinned)") == 0 && strstr(f.text, "from-url") != NULL);
	confsrc_free(&f);
	/* One digit off: refused, nothing returned. */
	first = hex[0];
	hex[0] = first == '0' ? '1' : '0';
	snprintf(cmd, sizeof cmd, good, hex);
	CHECK(find(cmd, NULL, &f, &e) < 0 && f.text == NULL);
	CHECK(strstr(e.msg, "sha256 differs") != NULL);
	/* The same pin on a local file. */
	tree_put(root, "n1.conf", "[node]\nhostname = from-url\n");
	hex[0] = first;
	snprintf(cmd, sizeof cmd, "cairn.config=/n1.conf cairn.config.sha256=%s", hex);
	CHECK(find(cmd, NULL, &f, &e) == 0);
	confsrc_free(&f);
	tree_put(root, "n1.conf", "[node]\nhostname = changed\n");
	CHECK(find(cmd, NULL, &f, &e) < 0 && strstr(e.msg, "sha256 differs") != NULL);
	check_rmtree(root);
}

static void test_named_source_fails_alone(void)
{
	struct conf_found f;
	struct perr e;

	tree_new(root, sizeof root, "confsrc");
	tree_put(root, "etc/cairn/node.conf", "[node]\nhostname = from-image\n");
	/* An unreachable URL is an error, never the image's config instead. */
	CHECK(find("cairn.config=https://down.example/x.conf cairn.config.ca=/ca.pem", NULL, &f, &e) == -EIO);
	CHECK(strstr(e.msg, "connection refused") != NULL && f.text == NULL);
	CHECK(find("cairn.config=/missing.conf", NULL, &f, &e) < 0);
	CHECK(strstr(e.msg, "/missing.conf: No such file") != NULL);
	/* An https:// URL with nothing to check it by is refused unfetched. */
	CHECK(find("cairn.config=https://cfg.example/n1.conf", NULL, &f, &e) < 0);
	CHECK(fetches == 0 && strstr(e.msg, "needs cairn.config.ca=FILE or cairn.config.sha256=HEX") != NULL);
	CHECK(find("cairn.config=http://cfg.example/n1.conf cairn.config.sha256=00", NULL, &f, &e) < 0);
	CHECK(strstr(e.msg, "not 64 hex digits") != NULL);
	CHECK(find("cairn.config=http://cfg.example/n1.conf", NULL, &f, &e) < 0);
	CHECK(strstr(e.msg, "plain http:// is not accepted") != NULL);
	CHECK(find("cairn.config=n1.conf", NULL, &f, &e) < 0);
	CHECK(strstr(e.msg, "not an absolute path or an https:// URL") != NULL);
	CHECK(find("cairn.config", NULL, &f, &e) < 0 && strstr(e.msg, "no path or URL") != NULL);
	CHECK(find("cairn.config=https://cfg.example/n1.conf cairn.config.ca=ca.pem", NULL, &f, &e) < 0 &&
	      strstr(e.msg, "not an absolute path") != NULL);
	/* A medium without node.conf is not one (a disk's own ESP has the
	 * label so that a config can be put there): the next source. */
	CHECK(find("quiet", root, &f, &e) == 0 && f.origin != CONF_MEDIUM);
	confsrc_free(&f);
	/* One whose node.conf cannot be read is an error. */
	tree_put(root, "node.conf/x", "");
	CHECK(find("quiet", root, &f, &e) < 0 && strstr(e.msg, "LABEL=CAIRNCFG:/node.conf") != NULL);
	check_rmtree(root);
}

/*
 * A stick put in a USB port, labelled CAIRNCFG, beside the boot disk's
 * ESP: its config is not the node's unless the command line pins it.
 */
static void test_strangers_medium(void)
{
	static const char stick_conf[] = "[node]\nhostname = from-stick\n";
	struct confsrc_medium media[2];
	struct conf_found f;
	struct perr e;
	char esp[256], stick[256], cmd[256], hex[65];

	tree_new(root, sizeof root, "confsrc");
	snprintf(esp, sizeof esp, "%s/esp", root);
	snprintf(stick, sizeof stick, "%s/stick", root);
	tree_put(root, "esp/EFI/BOOT/BOOTX64.EFI", "MZ");
	tree_put(root, "stick/node.conf", stick_conf);
	tree_put(root, "etc/cairn/node.conf", "[node]\nhostname = from-image\n");
	media[0] = (struct confsrc_medium){ esp, 1 };
	media[1] = (struct confsrc_medium){ stick, 0 };
	/* Unpinned, the stranger's is passed over: the image's. */
	CHECK(find_in("quiet", media, 2, &f, &e) == 0);
	CHECK(f.origin == CONF_IMAGE && strstr(f.text, "from-image") != NULL);
	confsrc_free(&f);
	/* Alone too: never the stick's. */
	CHECK(find_in("quiet", media + 1, 1, &f, &e) == 0 && f.origin == CONF_IMAGE);
	confsrc_free(&f);
	/* Pinned to the stick's config: taken, and which medium said. */
	hex_of(stick_conf, hex);
	snprintf(cmd, sizeof cmd, "quiet cairn.config.sha256=%s", hex);
	CHECK(find_in(cmd, media, 2, &f, &e) == 0);
	CHECK(f.origin == CONF_MEDIUM && f.medium == 1 && strstr(f.text, "from-stick") != NULL);
	CHECK(strcmp(f.where, "LABEL=CAIRNCFG:/node.conf") == 0);
	confsrc_free(&f);
	/* The ESP's own config does not beat a pin it does not match. */
	tree_put(root, "esp/node.conf", "[node]\nhostname = from-esp\n");
	CHECK(find_in(cmd, media, 2, &f, &e) == 0 && f.medium == 1);
	confsrc_free(&f);
	CHECK(find_in("quiet", media, 2, &f, &e) == 0 && f.medium == 0);
	CHECK(strstr(f.text, "from-esp") != NULL);
	confsrc_free(&f);
	/* A pin nothing matches: an error, not the image's or the ESP's. */
	hex[0] = hex[0] == '0' ? '1' : '0';
	snprintf(cmd, sizeof cmd, "quiet cairn.config.sha256=%s", hex);
	CHECK(find_in(cmd, media, 2, &f, &e) < 0 && f.text == NULL);
	CHECK(strstr(e.msg, "cairn.config.sha256: no CAIRNCFG medium's node.conf, nor the image's") != NULL);
	/* The image's, pinned. */
	hex_of("[node]\nhostname = from-image\n", hex);
	snprintf(cmd, sizeof cmd, "quiet cairn.config.sha256=%s", hex);
	CHECK(find_in(cmd, media, 2, &f, &e) == 0 && f.origin == CONF_IMAGE);
	confsrc_free(&f);
	CHECK(find_in("cairn.config.sha256=12", media, 2, &f, &e) < 0);
	CHECK(strstr(e.msg, "cairn.config.sha256: not 64 hex digits") != NULL);
	check_rmtree(root);
}

static void test_too_big(void)
{
	struct conf_found f;
	struct perr e;
	char *big;

	tree_new(root, sizeof root, "confsrc");
	big = malloc(70000);
	memset(big, '#', 69999);
	big[69999] = '\0';
	tree_put(root, "etc/cairn/node.conf", big);
	CHECK(find("", NULL, &f, &e) < 0 && strstr(e.msg, "longer than a config may be") != NULL);
	free(big);
	check_rmtree(root);
}

int main(void)
{
	RUN(test_order);
	RUN(test_pinned_by_sha256);
	RUN(test_named_source_fails_alone);
	RUN(test_strangers_medium);
	RUN(test_too_big);
	return CHECK_DONE();
}
