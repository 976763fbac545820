/* nodeconf_test.c: the node config reader (doc/node-config.md): a full
 * config read back, secrets never in `show` nor in any message, and each
 * kind of bad input refused with its line, section and reason. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conf/nodeconf.h"

static const char ca_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBfjCCASWgAwIBAgIUCnzRUZ5VPZ2euIhupWS1APvpHZ4wCgYIKoZIzj0EAwIw\n"
	"FTETMBEGA1UEAwwKY2x1c3Rlci1jYTAeFw0yNjExMjgwMjEwNDNaFw0zNjExMjUw\n"
	"MjEwNDNaMBUxEzARBgNVBAMMCmNsdXN0ZXItY2EwWTATBgcqhkjOPQIBBggqhkjO\n"
	"PQMBBwNCAAQzeEdKUjQWSuBRVyqqnnwj86bit/aRxRlVBfSY2REhWAexgAnEciWk\n"
	"fRGWTE4Jm9u39brdquMDU87nPfWEReTGo1MwUTAdBgNVHQ4EFgQU3Np8gGthiKzo\n"
	"k//c52Ne6VAlOsgwHwYDVR0jBBgwFoAU3Np8gGthiKzok//c52Ne6VAlOsgwDwYD\n"
	"VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiABsfhdtP6cE6yJqABzonnY\n"
	"DHqaxMSG+89pKH0Sr0P01gIgNDrxvrsowN9Eao2frdDwM/Ww0nvzOaERttfaDLRz\n"
	"bO8=\n"
	"-----END CERTIFICATE-----\n"
	;

#define MUNGE_B64 "k3nricNTPl2CbwArdMoHnTlp7yTd9cx9qKlZtl2rNF4TRRLh/VAltQ=="

static char full[8192];
static struct nodeconf c;
static char err[512];

static int parse(const char *text)
{
	return nodeconf_parse(&c, "node.conf", text, strlen(text), err, sizeof(err));
}

static void build_full(void)
{
	snprintf(full, sizeof(full),
		 "# a node of a Slurm cluster\n"
		 "[node]\nhostname = gpu-a01\nprofile = slurm\n\n"
		 "[net p0]\nmatch = mac 52:54:00:AB:cd:01\n"
		 "[net p1]\nmatch = pci 0000:3B:00.1\n"
		 "[net bond0]\nbond = p0 p1\nbond-mode = 802.3ad\nmtu = 9000\n"
		 "[net mgmt]\nvlan = bond0 100\naddress = 10.1.0.5/16\naddress = fd00::5/64\n"
		 "gateway = 10.1.0.1\ngateway = fd00::1\n"
		 "[net ib]\nmatch = name ib0\ndhcp = yes\n"
		 "[dns]\nserver = 10.1.0.2\nsearch = hpc.example.org\n"
		 "[time]\nserver = ntp1.example.org\nserver = 10.1.0.3\n"
		 "[trust]\nca <<END\n%sEND\n"
		 "[images]\ndir = /var/lib/cairn/images\n"
		 "[gpu]\ncount = 8\nmodel = NVIDIA H100 80GB HBM3\n"
		 "[slurm]\ncontroller = slurmctl.example.org:6817\nmunge-key = " MUNGE_B64 "\n",
		 ca_pem);
}

static void test_full(void)
{
	build_full();
	CHECK(parse(full) == 0);
	if (err[0] != '\0' && c.hostname[0] == '\0')
		fprintf(stderr, "%s\n", err);
	CHECK(strcmp(c.hostname, "gpu-a01") == 0 && c.profile == NC_SLURM);
	CHECK(c.nnet == 5);
	CHECK(c.net[0].match == NC_MATCH_MAC && strcmp(c.net[0].match_value, "52:54:00:ab:cd:01") == 0);
	CHECK(c.net[1].match == NC_MATCH_PCI && strcmp(c.net[1].match_value, "0000:3b:00.1") == 0);
	CHECK(c.net[2].nbond == 2 && strcmp(c.net[2].bond[1], "p1") == 0 && c.net[2].mtu == 9000);
	CHECK(strcmp(c.net[3].vlan_parent, "bond0") == 0 && c.net[3].vlan_id == 100);
	CHECK(c.net[3].naddr == 2 && strcmp(c.net[3].gateway6, "fd00::1") == 0);
	CHECK(c.net[4].dhcp == 1 && c.net[3].dhcp == -1);
	CHECK(c.ndns == 1 && c.nntp == 2 && strcmp(c.search, "hpc.example.org") == 0);
	CHECK(strstr(c.ca_pem, "BEGIN CERTIFICATE") != NULL);
	CHECK(c.gpu_count == 8 && strcmp(c.gpu_model, "NVIDIA H100 80GB HBM3") == 0);
	CHECK(c.munge_key_len == 40);
}

/* show: what was understood, the munge key only said to be set. */
static void test_show(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	build_full();
	CHECK(parse(full) == 0);
	CHECK(f != NULL && nodeconf_show(&c, f) == 0);
	fclose(f);
	CHECK(strstr(text, "hostname = gpu-a01") != NULL);
	CHECK(strstr(text, "match = mac 52:54:00:ab:cd:01") != NULL);
	CHECK(strstr(text, "vlan = bond0 100") != NULL);
	CHECK(strstr(text, "# munge-key: set (40 bytes), not shown") != NULL);
	CHECK(strstr(text, "k3nricNTPl2") == NULL);
	free(text);
}

struct bad {
	const char *text;
	const char *want;	/* in the message */
};

static void test_bad(void)
{
	static const struct bad cases[] = {
		{ "hostname = a\n", "node.conf:1: 'hostname' before any [section]" },
		{ "[nodes]\n", "node.conf:1: unknown section [nodes]" },
		{ "[node]\nhostname = Gpu_01\n", "node.conf:2: [node] hostname: 'Gpu_01'" },
		{ "[node]\ncolour = blue\n", "node.conf:2: [node] unknown key 'colour'" },
		{ "[node]\nhostname\n", "node.conf:2: [node] not a 'key = value' line" },
		{ "[node]\nprofile = pbs\n", "profile: 'pbs': standalone, slurm or kubernetes" },
		{ "[node\n", "node.conf:1: a section header is [name] or [name arg]" },
		{ "[dns] x\n", "section header" },
		{ "[dns x]\n", "[dns] takes no name" },
		{ "[net]\n", "'' is not an interface name" },
		{ "[net a]\nmatch = name x\n[net a]\n", "node.conf:3: [net a] given twice" },
		{ "[net a]\nmatch = mac 52:54:00:12:34\n", "node.conf:2: [net a] match: 'mac' wants" },
		{ "[net a]\nmatch = pci 3b:00.0\n", "match: 'pci' wants a PCI address" },
		{ "[net a]\nmatch = usb 1\n", "match: 'mac ADDRESS', 'pci ADDRESS' or 'name NAME'" },
		{ "[net a]\nmatch = name e\naddress = 10.0.0.300/24\n", "address: '10.0.0.300/24' is not ADDRESS/PREFIX" },
		{ "[net a]\nmatch = name e\naddress = 10.0.0.3/33\n", "is not ADDRESS/PREFIX" },
		{ "[net a]\nmatch = name e\naddress = 10.0.0.3\n", "is not ADDRESS/PREFIX" },
		{ "[net a]\nmatch = name e\nmtu = 67\n", "mtu: '67' is not a number from 68 to 65535" },
		{ "[net a]\nmatch = name e\ndhcp = maybe\n", "dhcp: 'maybe' is not yes or no" },
		{ "[net a]\nvlan = b 4095\n", "vlan: '4095' is not a number from 1 to 4094" },
		{ "[net a]\nmatch = name e\ndhcp = yes\naddress = 10.0.0.3/8\n",
		  "node.conf: [net a]: dhcp = yes and a static address" },
		{ "[net a]\ndhcp = yes\n", "[net a]: exactly one of match, bond or vlan" },
		{ "[net a]\nmatch = name e\nbond = x\n", "[net a]: exactly one of match, bond or vlan" },
		{ "[net b]\nbond = a\n", "[net b]: bond member 'a' is not a [net] with a match" },
		{ "[net a]\nmatch = name e\naddress = 10.0.0.3/8\n[net b]\nbond = a\n",
		  "bond member 'a' has addresses of its own" },
		{ "[net v]\nvlan = b 10\n", "[net v]: vlan parent 'b' is not a [net]" },
		{ "[dns]\nserver = dns.example\n", "server: 'dns.example' is not an IP address" },
		{ "[dns]\nserver = 1.1.1.1\nserver = 1.1.1.2\nserver = 1.1.1.3\nserver = 1.1.1.4\n", "at most 3" },
		{ "[time]\nserver = -bad-\n", "server: '-bad-' is not a host name or address" },
		{ "[trust]\nca-file = etc/ca.pem\n", "ca-file: 'etc/ca.pem' is not an absolute path" },
		{ "[api]\ncert-file = /n.pem\nkey-file = /n.key\n", "[api] needs cert-file, key-file and client-ca" },
		{ "[trust]\nca-file = /ca.pem\n[api]\ncert-file = /n.pem\nkey-file = /n.key\n",
		  "needs cert-file, key-file and client-ca" },
		{ "[api]\nclient-ca = ops.pem\n", "client-ca: 'ops.pem' is not an absolute path" },
		{ "[api]\ncrl = /a/../b\n", "crl: '/a/../b' is not an absolute path" },
		{ "[api]\nallow-file = allow\n", "allow-file: 'allow' is not an absolute path" },
		{ "[images]\ndir = /var/../etc\n", "is not an absolute path" },
		{ "[trust]\nca <<END\nnot a certificate\nEND\n", "node.conf:4: [trust] ca: no PEM certificate" },
		{ "[trust]\nca <<END\n-----BEGIN CERTIFICATE-----\n", "ca: the block has no end line" },
		{ "[node]\nca <<END\nx\nEND\n", "only [trust] ca takes a block" },
		{ "[gpu]\ncount = 0\n", "count: '0' is not a number from 1 to 64" },
		{ "[slurm]\ncontroller = ctl:0\n", "controller: 'ctl:0' is not HOST or HOST:PORT" },
		{ "[node]\nprofile = slurm\n", "profile slurm needs [slurm] controller and munge-key" },
		{ "[kubernetes]\nserver = http://api:6443\n", "server: 'https://HOST[:PORT]'" },
		{ "[node]\nprofile = kubernetes\n[kubernetes]\nserver = https://api:6443\n"
		  "token = abcdef.0123456789abcdef\n", "profile kubernetes needs" },
		{ "[node]\nhostname = a\n\x01\n", "not a 'key = value' line" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse(cases[i].text) == 0 || strstr(err, cases[i].want) == NULL) {
			fprintf(stderr, "case %zu: got '%s', want '%s'\n", i, err, cases[i].want);
			CHECK(0);
		}
		CHECK(c.hostname[0] == '\0' && c.nnet == 0);	/* cleared */
	}
}

/* A secret's value never reaches a message, whatever is wrong with it. */
static void test_secrets_not_shown(void)
{
	static const char *const texts[] = {
		"[slurm]\nmunge-key = c2VjcmV0LXRvby1zaG9ydA==\n",	/* "secret-too-short" */
		"[slurm]\nmunge-key = secret!!notbase64\n",
		"[slurm]\nmunge-key = c2VjcmV0=XRvby1zaG9ydA==\n",	/* '=' inside */
		"[kubernetes]\ntoken = secret.0123456789abcdefXYZ\n",
		"[kubernetes]\ntoken = SECRET.0123456789abcdef\n",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		CHECK(parse(texts[i]) < 0);
		CHECK(strstr(err, "not shown") != NULL);
		CHECK(strstr(err, "secret") == NULL && strstr(err, "SECRET") == NULL &&
		      strstr(err, "c2VjcmV0") == NULL);
	}
	CHECK(parse("[slurm]\nmunge-key = c2VjcmV0LXRvby1zaG9ydA==\n") < 0 && strstr(err, "16 bytes") != NULL);
}

static void test_limits(void)
{
	char *big = malloc(NC_FILE_MAX + 2);
	char line[1100];

	memset(big, '#', NC_FILE_MAX + 1);
	big[NC_FILE_MAX + 1] = '\0';
	CHECK(parse(big) < 0 && strstr(err, "larger than") != NULL);
	free(big);
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	CHECK(parse(line) < 0 && strstr(err, "line too long") != NULL);
	CHECK(nodeconf_parse(&c, "n", "[node]\n\0x", 9, err, sizeof(err)) < 0 && strstr(err, "NUL") != NULL);
	CHECK(parse("") == 0 && c.profile == NC_STANDALONE && c.nnet == 0);
	CHECK(nodeconf_load(&c, "/nonexistent/node.conf", err, sizeof(err)) < 0 &&
	      strstr(err, "/nonexistent/node.conf: No such file") != NULL);
}

/* [api]: the operators' own CA, its CRL and allow-file, read and shown. */
static void test_api(void)
{
	char buf[4096];
	FILE *f;

	CHECK(parse("[api]\ncert-file = /n.pem\nkey-file = /n.key\nclient-ca = /ops.pem\ncrl = /ops.crl\n"
		    "allow-file = /ops.allow\n") == 0);
	CHECK(c.api && strcmp(c.api_client_ca, "/ops.pem") == 0 && strcmp(c.api_crl, "/ops.crl") == 0 &&
	      strcmp(c.api_allow, "/ops.allow") == 0 && strcmp(c.api_listen, NC_API_LISTEN) == 0);
	memset(buf, 0, sizeof(buf));
	f = fmemopen(buf, sizeof(buf) - 1, "w");
	CHECK(f != NULL && nodeconf_show(&c, f) == 0);
	fclose(f);
	CHECK(strstr(buf, "client-ca = /ops.pem\ncrl = /ops.crl\nallow-file = /ops.allow\n") != NULL);
}

/* [update] health-timeout: 300 s unless said; 10 to 3600; shown when not the default. */
static void test_update(void)
{
	char buf[4096];
	FILE *f;

	CHECK(parse("") == 0 && c.health_timeout == NC_HEALTH_TIMEOUT);
	CHECK(parse("[update]\nhealth-timeout = 45\n") == 0 && c.health_timeout == 45);
	f = fmemopen(buf, sizeof(buf), "w");
	CHECK(f != NULL && nodeconf_show(&c, f) == 0);
	fclose(f);
	CHECK(strstr(buf, "[update]\nhealth-timeout = 45\n") != NULL);
	CHECK(parse("[update]\nhealth-timeout = 5\n") < 0 && strstr(err, "health-timeout") != NULL);
	CHECK(parse("[update]\nhealth-timeout = 3601\n") < 0);
	CHECK(parse("[update]\nretries = 3\n") < 0);
	CHECK(parse("") == 0 && c.update_repo[0] == '\0' && c.window_start == -1 && c.window_end == -1);
	CHECK(parse("[update]\nrepo = https://repo.example/cairn/\nwindow = 22:30-02:00\n") == 0 &&
	      strcmp(c.update_repo, "https://repo.example/cairn/") == 0 && c.window_start == 22 * 60 + 30 &&
	      c.window_end == 120);
	f = fmemopen(buf, sizeof(buf), "w");
	CHECK(f != NULL && nodeconf_show(&c, f) == 0);
	fclose(f);
	CHECK(strstr(buf, "[update]\nrepo = https://repo.example/cairn/\nwindow = 22:30-02:00\n") != NULL);
	CHECK(parse("[update]\nrepo = /dev/sdb\n") == 0 && strcmp(c.update_repo, "/dev/sdb") == 0);
	CHECK(parse("[update]\nrepo = http://repo.example/\n") < 0 && strstr(err, "repo") != NULL);
	CHECK(parse("[update]\nrepo = relative/dir\n") < 0);
	CHECK(parse("[update]\nrepo = https://a b/\n") < 0);
	CHECK(parse("[update]\nwindow = 01:00-02:00\n") < 0 && strstr(err, "window needs repo") != NULL);
	CHECK(parse("[update]\nrepo = /r\nwindow = 24:00-01:00\n") < 0 && strstr(err, "window") != NULL);
	CHECK(parse("[update]\nrepo = /r\nwindow = 02:00-02:00\n") < 0);
	/* A sign is not a digit: sscanf's %u once took "-0" as a field. */
	CHECK(parse("[update]\nrepo = /r\nwindow = 00:-0-01:00\n") < 0);
	CHECK(parse("[update]\nrepo = /r\nwindow = 2:00-3:00\n") < 0);
	CHECK(parse("[update]\nrepo = /r\nwindow = 02:00-03:60\n") < 0);
	CHECK(parse("[update]\nrepo = /r\nwindow = 02:00-03:00x\n") < 0);
	CHECK(parse("[update]\nrepo = /r\nwindow = 23:59-00:00\n") == 0 && c.window_start == 1439 &&
	      c.window_end == 0);
}

/* [time] max-unsure: 1800 s unless said; 60 s to a week; shown when not the default. */
static void test_time(void)
{
	char buf[4096];
	FILE *f;

	CHECK(parse("") == 0 && c.max_unsure == NC_MAX_UNSURE && c.max_unsure == 1800);
	CHECK(parse("[time]\nmax-unsure = 600\n") == 0 && c.max_unsure == 600 && c.nntp == 0);
	f = fmemopen(buf, sizeof(buf), "w");
	CHECK(f != NULL && nodeconf_show(&c, f) == 0);
	fclose(f);
	CHECK(strstr(buf, "[time]\nmax-unsure = 600\n") != NULL);
	CHECK(parse("[time]\nmax-unsure = 59\n") < 0 &&
	      strstr(err, "max-unsure: '59' is not a number from 60 to 604800") != NULL);
	CHECK(parse("[time]\nmax-unsure = 604801\n") < 0);
	CHECK(parse("[time]\nmax-unsure = 30m\n") < 0 && strstr(err, "'30m'") != NULL);
	CHECK(parse("[time]\nserver = 10.0.0.1\n") == 0);
	f = fmemopen(buf, sizeof(buf), "w");
	CHECK(f != NULL && nodeconf_show(&c, f) == 0);
	fclose(f);
	CHECK(strstr(buf, "max-unsure") == NULL);
}

/* [gpu] cdi-devices-env: off unless said, shown when on, yes or no only. */
static void test_cdi_env(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	build_full();
	CHECK(parse(full) == 0 && c.cdi_env == 0);
	CHECK(parse("[gpu]\ncdi-devices-env = yes\n") == 0 && c.cdi_env == 1);
	f = open_memstream(&text, &len);
	CHECK(f != NULL && nodeconf_show(&c, f) == 0);
	fclose(f);
	CHECK(text != NULL && strstr(text, "[gpu]\ncdi-devices-env = yes\n") != NULL);
	free(text);
	CHECK(parse("[gpu]\ncdi-devices-env = no\n") == 0 && c.cdi_env == 0);
	CHECK(parse("[gpu]\ncdi-devices-env = on\n") < 0 &&
	      strstr(err, "node.conf:2: [gpu] cdi-devices-env: 'on' is not yes or no") != NULL && c.cdi_env == 0);
}

/* [slurm] features or dynamic = no alone still shows [slurm], so show's
 * output reads back the same (the fuzzer's round trip). */
static void test_show_slurm_alone(void)
{
	char buf[4096];
	FILE *f;

	CHECK(parse("[slurm]\nfeatures = gpu,nvlink\ndynamic = no\n") == 0 && c.slurm_static == 1);
	memset(buf, 0, sizeof(buf));
	f = fmemopen(buf, sizeof(buf) - 1, "w");
	CHECK(f != NULL && nodeconf_show(&c, f) == 0);
	fclose(f);
	CHECK(strcmp(buf, "[node]\nprofile = standalone\n\n[slurm]\ndynamic = no\nfeatures = gpu,nvlink\n") == 0);
	CHECK(parse(buf) == 0 && c.slurm_static == 1 && strcmp(c.slurm_features, "gpu,nvlink") == 0);
}

/* config keys: every section and key, with its bounds and default, in
 * the doc's markdown (tests/build/nodeconf_doc.sh holds the doc to it). */
static void test_keys(void)
{
	static const char *const want[] = {
		"### [node]\n`hostname = NAME`\n: ",
		"`profile = standalone | slurm | kubernetes` (default `standalone`)\n",
		"\n### [net NAME]\nOne interface",
		"`bond = NAME...` (up to 8)\n",
		"`address = ADDRESS/PREFIX` (repeatable, up to 4)\n",
		"`mtu = N` (68 to 65535)\n",
		"`server = ADDRESS` (repeatable, up to 3)\n",
		"`max-unsure = SECONDS` (60 to 604800, default 1800)\n",
		"`ca <<END ... END`\n",
		"`cdi-devices-env = yes | no` (default `no`)\n",
		"`munge-key = BASE64` (a **secret**)\n",
		"`dynamic = yes | no` (default `yes`)\n",
		"\n### [api]\n",
		"`health-timeout = SECONDS` (10 to 3600, default 300)\n",
		"\n### [kubernetes]\n",
		"`token = ID.SECRET` (a **secret**)\n",
	};
	char *text = NULL, *line;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	CHECK(f != NULL && nodeconf_keys_print(f) == 0);
	fclose(f);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(text, want[i]) == NULL) {
			fprintf(stderr, "config keys: no '%s'\n", want[i]);
			CHECK(0);
		}
	for (line = text; *line != '\0'; line += strcspn(line, "\n") + 1)
		CHECK(strcspn(line, "\n") <= 72 || line[0] == '`');	/* wrapped as the doc is */
	free(text);
}

int main(void)
{
	RUN(test_full);
	RUN(test_show);
	RUN(test_bad);
	RUN(test_secrets_not_shown);
	RUN(test_limits);
	RUN(test_api);
	RUN(test_update);
	RUN(test_time);
	RUN(test_cdi_env);
	RUN(test_show_slurm_alone);
	RUN(test_keys);
	return CHECK_DONE();
}
