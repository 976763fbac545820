/* nodeconf_keys.c: every key of node.conf, a row each: its section, type,
 * bounds, field and one-line doc (nodeconf_keys.h), and the few keys that
 * parse in a way of their own.  The parser, `config show` and the key list
 * of doc/node-config.md (`cairn-agent config keys`) are made from it. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "conf/nodeconf_keys.h"

#define HEX "0123456789abcdefABCDEF"

/* [net] match: `mac ADDRESS`, `pci ADDRESS` or `name NAME`, kept lower case. */
static int match_parse(struct nc_parse *p, const struct nc_key *k, void *base, char *v)
{
	struct nc_net *n = base;
	const char *arg = v + strcspn(v, " \t");
	size_t kind = (size_t)(arg - v), i;

	(void)k;
	arg += strspn(arg, " \t");
	if (strlen(arg) >= sizeof(n->match_value))
		return nc_fail(p, "match: value too long");
	if (kind == 3 && strncmp(v, "mac", 3) == 0) {
		if (strlen(arg) != 17)
			return nc_fail(p, "match: 'mac' wants six hex pairs, 52:54:00:12:34:56");
		for (i = 0; i < 17; i++)
			if (i % 3 == 2 ? arg[i] != ':' : strchr(HEX, arg[i]) == NULL)
				return nc_fail(p, "match: 'mac' wants six hex pairs, 52:54:00:12:34:56");
		n->match = NC_MATCH_MAC;
	} else if (kind == 3 && strncmp(v, "pci", 3) == 0) {
		if (strlen(arg) != 12 || arg[4] != ':' || arg[7] != ':' || arg[10] != '.' ||
		    strspn(arg, HEX ":.") != 12)
			return nc_fail(p, "match: 'pci' wants a PCI address, 0000:3b:00.0");
		n->match = NC_MATCH_PCI;
	} else if (kind == 4 && strncmp(v, "name", 4) == 0) {
		if (!nc_ifname_ok(arg))
			return nc_fail(p, "match: '%s' is not an interface name", arg);
		n->match = NC_MATCH_NAME;
	} else {
		return nc_fail(p, "match: 'mac ADDRESS', 'pci ADDRESS' or 'name NAME'");
	}
	memset(n->match_value, 0, sizeof(n->match_value));
	for (i = 0; arg[i] != '\0'; i++)
		n->match_value[i] = (char)(arg[i] >= 'A' && arg[i] <= 'F' ? arg[i] - 'A' + 'a' : arg[i]);
	n->match_value[i] = '\0';
	return 0;
}

static int match_set(const void *base)
{
	return ((const struct nc_net *)base)->match != NC_MATCH_NONE;
}

static void match_show(FILE *out, const struct nc_key *k, const void *base)
{
	static const char *const kinds[] = { "", "mac", "pci", "name" };
	const struct nc_net *n = base;

	fprintf(out, "%s = %s %s\n", k->name, kinds[n->match], n->match_value);
}

/* [net] gateway: one of each family. */
static int gateway_parse(struct nc_parse *p, const struct nc_key *k, void *base, char *v)
{
	struct nc_net *n = base;
	unsigned char bin[16];

	if (inet_pton(AF_INET, v, bin) == 1)
		return nc_copy(p, k->name, n->gateway4, sizeof(n->gateway4), v);
	if (inet_pton(AF_INET6, v, bin) == 1)
		return nc_copy(p, k->name, n->gateway6, sizeof(n->gateway6), v);
	return nc_fail(p, "gateway: '%s' is not an IP address", v);
}

static int gateway_set(const void *base)
{
	const struct nc_net *n = base;

	return n->gateway4[0] != '\0' || n->gateway6[0] != '\0';
}

static void gateway_show(FILE *out, const struct nc_key *k, const void *base)
{
	const struct nc_net *n = base;

	if (n->gateway4[0])
		fprintf(out, "%s = %s\n", k->name, n->gateway4);
	if (n->gateway6[0])
		fprintf(out, "%s = %s\n", k->name, n->gateway6);
}

/* [net] vlan: `PARENT ID`. */
static int vlan_parse(struct nc_parse *p, const struct nc_key *k, void *base, char *v)
{
	struct nc_net *n = base;
	char *id = v + strcspn(v, " \t");

	if (*id == '\0')
		return nc_fail(p, "vlan: 'PARENT ID', e.g. bond0 100");
	*id++ = '\0';
	id += strspn(id, " \t");
	if (!nc_ifname_ok(v))
		return nc_fail(p, "vlan: '%s' is not an interface name", v);
	memset(n->vlan_parent, 0, sizeof(n->vlan_parent));
	memcpy(n->vlan_parent, v, strlen(v) + 1);
	return nc_number(p, k->name, id, 1, 4094, &n->vlan_id);
}

static int vlan_set(const void *base)
{
	return ((const struct nc_net *)base)->vlan_parent[0] != '\0';
}

static void vlan_show(FILE *out, const struct nc_key *k, const void *base)
{
	const struct nc_net *n = base;

	fprintf(out, "%s = %s %u\n", k->name, n->vlan_parent, n->vlan_id);
}

/* [slurm] munge-key: base64, decoded by EVP_DecodeBlock, which keeps no
 * state: EVP_DecodeUpdate's context would leave the key's text in freed
 * memory (where the API's unprivileged side could find it). */
static int munge_key_parse(struct nc_parse *p, const struct nc_key *k, void *base, char *v)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct nodeconf *c = base;
	unsigned char out[NC_SECRET_MAX + 64];
	size_t len = strlen(v), n64 = strspn(v, b64), pad = len - n64;
	int n;

	(void)k;
	if (len > (size_t)(NC_SECRET_MAX / 3 + 1) * 4)
		return nc_fail(p, "munge-key: longer than %d bytes", NC_SECRET_MAX);
	/* The value itself never goes into a message. */
	if (len == 0 || len % 4 != 0 || pad > 2 || strspn(v + n64, "=") != pad ||
	    (n = EVP_DecodeBlock(out, (const unsigned char *)v, (int)len)) < 0)
		return nc_fail(p, "munge-key: not base64 (the key is not shown)");
	n -= (int)pad;
	if (n < 32 || n > NC_SECRET_MAX) {
		OPENSSL_cleanse(out, sizeof(out));
		return nc_fail(p, "munge-key: %d bytes: MUNGE wants 32 to %d (the key is not shown)", n,
			       NC_SECRET_MAX);
	}
	memcpy(c->munge_key, out, (size_t)n);
	c->munge_key_len = (size_t)n;
	OPENSSL_cleanse(out, sizeof(out));
	return 0;
}

static int munge_key_set(const void *base)
{
	return ((const struct nodeconf *)base)->munge_key_len > 0;
}

static void munge_key_show(FILE *out, const struct nc_key *k, const void *base)
{
	fprintf(out, "# %s: set (%zu bytes), not shown\n", k->name, ((const struct nodeconf *)base)->munge_key_len);
}

/* [update] window: HH:MM-HH:MM, minutes of the UTC day; -1 none. */
static int window_parse(struct nc_parse *p, const struct nc_key *k, void *base, char *v)
{
	struct nodeconf *c = base;

	(void)k;
	if (nc_window_parse(v, &c->window_start, &c->window_end) < 0)
		return nc_fail(p, "window: '%s' is not HH:MM-HH:MM (UTC, 24-hour; 22:00-02:00 crosses midnight)", v);
	return 0;
}

static int window_set(const void *base)
{
	return ((const struct nodeconf *)base)->window_start >= 0;
}

static void window_show(FILE *out, const struct nc_key *k, const void *base)
{
	const struct nodeconf *c = base;

	fprintf(out, "%s = %02d:%02d-%02d:%02d\n", k->name, c->window_start / 60, c->window_start % 60,
		c->window_end / 60, c->window_end % 60);
}

static void window_init(void *base)
{
	struct nodeconf *c = base;

	c->window_start = c->window_end = -1;
}

static const struct nc_custom match = { match_parse, match_set, match_show, NULL };
static const struct nc_custom gateway = { gateway_parse, gateway_set, gateway_show, NULL };
static const struct nc_custom vlan = { vlan_parse, vlan_set, vlan_show, NULL };
static const struct nc_custom munge_key = { munge_key_parse, munge_key_set, munge_key_show, NULL };
static const struct nc_custom window = { window_parse, window_set, window_show, window_init };

const char *const nc_profile_words[] = {
	[NC_STANDALONE] = "standalone", [NC_SLURM] = "slurm", [NC_KUBERNETES] = "kubernetes", NULL
};
static const char *const bond_modes[] = { "802.3ad", "active-backup", "balance-xor", NULL };

const struct nc_section_def nc_sections[NC_S_COUNT] = {
	[NC_S_NODE] = { "node", NULL, 1, 0, NULL },
	[NC_S_NET] = { "net", "net NAME", 1, 0,
		       "One interface, named NAME (`a-z0-9_.-`, up to 15) on the node whatever the kernel "
		       "called it; at most 8.  Each is exactly one of `match`, `bond` or `vlan`." },
	[NC_S_DNS] = { "dns", NULL, 0, 0, NULL },
	[NC_S_TIME] = { "time", NULL, 0, 0, NULL },
	[NC_S_TRUST] = { "trust", NULL, 0, 0, NULL },
	[NC_S_IMAGES] = { "images", NULL, 0, 0, NULL },
	[NC_S_GPU] = { "gpu", NULL, 0, 0, NULL },
	[NC_S_SLURM] = { "slurm", NULL, 0, 0, NULL },
	[NC_S_API] = { "api", NULL, 0, offsetof(struct nodeconf, api),
		       "The node's control API (cairn-agent(8), API): present, it listens; absent, nothing does." },
	[NC_S_UPDATE] = { "update", NULL, 0, 0, "OS updates (doc/update.md)." },
	[NC_S_KUBE] = { "kubernetes", NULL, 0, 0, NULL },
};

/* A field of struct S; an array F of S counted by N. */
#define AT(s, f) .off = offsetof(struct s, f), .size = sizeof(((struct s *)0)->f)
#define ARRAY(s, f, n)                                                                                  \
	.off = offsetof(struct s, f), .size = sizeof(((struct s *)0)->f[0]),                            \
	.max = sizeof(((struct s *)0)->f) / sizeof(((struct s *)0)->f[0]), .count_off = offsetof(struct s, n)

/* In each section, the order `config show` prints. */
const struct nc_key nc_keys[] = {
	{ NC_S_NODE, "hostname", NC_TEXT, 0, AT(nodeconf, hostname), .check = nc_check_hostname,
	  .value = "NAME",
	  .doc = "The node's name: one DNS label, `a-z`, `0-9` and `-`, up to 63, not starting or ending "
		 "in `-`." },
	{ NC_S_NODE, "profile", NC_ENUM, NC_ALWAYS, AT(nodeconf, profile), .words = nc_profile_words,
	  .def = NC_STANDALONE,
	  .doc = "How the node joins a cluster: `standalone`, containers only; `slurm` needs `[slurm] "
		 "controller` and a munge key; `kubernetes` needs `[kubernetes] server` and `token` and a "
		 "`[trust]` CA." },

	{ NC_S_NET, "match", NC_CUSTOM, 0, .custom = &match, .value = "mac ADDRESS | pci ADDRESS | name KERNELNAME",
	  .doc = "A NIC: by MAC (`52:54:00:12:34:56`), by PCI address (`0000:3b:00.0`), or by the kernel's "
		 "name." },
	{ NC_S_NET, "bond", NC_LIST, NC_SPLIT, ARRAY(nc_net, bond, nbond), .check = nc_check_ifname,
	  .more = " members", .value = "NAME...",
	  .doc = "A bond of other `[net]` sections, each with a `match` and no address of its own." },
	{ NC_S_NET, "bond-mode", NC_WORD, 0, AT(nc_net, bond_mode), .words = bond_modes,
	  .doc = "The bond's mode (the kernel's default without it); only with `bond`." },
	{ NC_S_NET, "vlan", NC_CUSTOM, 0, .custom = &vlan, .value = "PARENT ID",
	  .doc = "A VLAN, ID 1 to 4094, on another `[net]`." },
	{ NC_S_NET, "dhcp", NC_BOOL, 0, AT(nc_net, dhcp), .def = -1,
	  .doc = "DHCP (IPv4, BusyBox udhcpc).  By default yes when the section has no `address` and is "
		 "neither a bond's member nor a VLAN's parent; `yes` with an address is refused." },
	{ NC_S_NET, "address", NC_LIST, 0, ARRAY(nc_net, addr, naddr), .check = nc_check_address,
	  .value = "ADDRESS/PREFIX", .doc = "A static IPv4 or IPv6 address." },
	{ NC_S_NET, "gateway", NC_CUSTOM, 0, .custom = &gateway, .value = "ADDRESS",
	  .doc = "The default route of the address's family: one IPv4, one IPv6." },
	{ NC_S_NET, "mtu", NC_UINT, 0, AT(nc_net, mtu), .min = 68, .max = 65535, .value = "N",
	  .doc = "The interface's MTU (the kernel's without it)." },

	{ NC_S_DNS, "server", NC_LIST, 0, ARRAY(nodeconf, dns, ndns), .check = nc_check_ip,
	  .more = " (the resolver's limit)", .value = "ADDRESS", .doc = "A name server." },
	{ NC_S_DNS, "search", NC_TEXT, 0, AT(nodeconf, search), .check = nc_check_domain, .value = "DOMAIN",
	  .doc = "The search domain." },

	{ NC_S_TIME, "server", NC_LIST, 0, ARRAY(nodeconf, ntp, nntp), .check = nc_check_host,
	  .value = "HOST", .doc = "An NTP server, by name or address." },
	{ NC_S_TIME, "max-unsure", NC_UINT, 0, AT(nodeconf, max_unsure), .min = 60, .max = 604800,
	  .def = NC_MAX_UNSURE, .value = "SECONDS",
	  .doc = "How long the clock may stay *unsure* (below) before `cairn-agent health` fails the "
		 "node." },

	{ NC_S_TRUST, "ca-file", NC_TEXT, 0, AT(nodeconf, ca_file), .check = nc_check_path, .value = "PATH",
	  .doc = "The cluster's CA certificate(s), PEM: what the kubernetes profile trusts for its API "
		 "server.  Never what the agent's API lets operators in by (that is `[api] client-ca`)." },
	{ NC_S_TRUST, "ca", NC_PEM, 0, AT(nodeconf, ca_pem),
	  .doc = "The same, in the file itself: at least one certificate.  Not with `ca-file`." },

	{ NC_S_IMAGES, "dir", NC_LIST, 0, ARRAY(nodeconf, image_dirs, nimage_dirs), .check = nc_check_path,
	  .value = "PATH",
	  .doc = "A directory of OCI image archives to import at boot, besides the image's own and "
		 "`/var/lib/cairn/images`." },

	{ NC_S_GPU, "count", NC_UINT, 0, AT(nodeconf, gpu_count), .min = 1, .max = 64, .value = "N",
	  .doc = "How many GPUs the health checks expect." },
	{ NC_S_GPU, "model", NC_TEXT, 0, AT(nodeconf, gpu_model), .value = "TEXT",
	  .doc = "What each GPU's model must contain, for the health checks." },
	{ NC_S_GPU, "cdi-devices-env", NC_BOOL, 0, AT(nodeconf, cdi_env),
	  .doc = "Whether `CDI_DEVICES` in a container's environment asks cairn-runtime(8) for devices "
		 "(below)." },

	{ NC_S_SLURM, "controller", NC_TEXT, 0, AT(nodeconf, slurm_controller), .check = nc_check_hostport,
	  .value = "HOST[:PORT]",
	  .doc = "slurmctld, which slurmd asks for its configuration (configless mode); IPv6 in brackets, "
		 "`[fd00::1]:6817`." },
	{ NC_S_SLURM, "munge-key", NC_CUSTOM, NC_SECRET, .custom = &munge_key, .value = "BASE64",
	  .doc = "The cluster's MUNGE key, 32 to 1024 bytes.  Not with `munge-key-file`." },
	{ NC_S_SLURM, "munge-key-file", NC_TEXT, 0, AT(nodeconf, munge_key_file), .check = nc_check_path,
	  .value = "PATH", .doc = "The MUNGE key in a file of the node instead (SECRETS)." },
	{ NC_S_SLURM, "dynamic", NC_BOOL, NC_ALWAYS | NC_INVERT, AT(nodeconf, slurm_static),
	  .doc = "Whether slurmd registers the node itself, as a Slurm dynamic node (below)." },
	{ NC_S_SLURM, "features", NC_TEXT, 0, AT(nodeconf, slurm_features), .check = nc_check_features,
	  .value = "NAME[,NAME...]",
	  .doc = "A dynamic node's `Feature=` (letters, digits, `_ . -`): what a partition's Nodeset or a "
		 "job's `--constraint` selects on." },

	{ NC_S_API, "listen", NC_TEXT, NC_ALWAYS, AT(nodeconf, api_listen), .check = nc_check_listen,
	  .value = "ADDRESS:PORT",
	  .doc = "A numeric address and port, `10.1.0.5:7443` or `[::]:7443` (the default, which takes "
		 "IPv4 too).  Port 0 takes any free one (the log says which)." },
	{ NC_S_API, "cert-file", NC_TEXT, NC_ALWAYS, AT(nodeconf, api_cert), .check = nc_check_path,
	  .value = "PATH", .doc = "The node's certificate (PEM, the chain after it).  Needed." },
	{ NC_S_API, "key-file", NC_TEXT, NC_ALWAYS, AT(nodeconf, api_key), .check = nc_check_path,
	  .value = "PATH",
	  .doc = "Its private key: a file on the node, never inline, read as root.  Needed." },
	{ NC_S_API, "client-ca", NC_TEXT, NC_ALWAYS, AT(nodeconf, api_client_ca), .check = nc_check_path,
	  .value = "PATH",
	  .doc = "The CA certificate(s), PEM, that operators' and monitors' client certificates must "
		 "chain to: a CA the site keeps for them alone (below).  Needed." },
	{ NC_S_API, "crl", NC_TEXT, 0, AT(nodeconf, api_crl), .check = nc_check_path, .value = "PATH",
	  .doc = "A CRL of `client-ca` (PEM, one or more, or DER): a certificate it revokes is refused." },
	{ NC_S_API, "allow-file", NC_TEXT, 0, AT(nodeconf, api_allow), .check = nc_check_path,
	  .value = "PATH", .doc = "Only the certificates whose SHA-256 fingerprints it lists are let in (below)." },

	{ NC_S_UPDATE, "health-timeout", NC_UINT, 0, AT(nodeconf, health_timeout), .min = 10, .max = 3600,
	  .def = NC_HEALTH_TIMEOUT, .value = "SECONDS",
	  .doc = "How long a newly updated OS has, on each boot it is tried, to become healthy (below)." },
	{ NC_S_UPDATE, "repo", NC_TEXT, 0, AT(nodeconf, update_repo), .check = nc_check_repo, .value = "URL",
	  .doc = "Where OS updates come from: an `https://` repository, or an absolute path on the node (a "
		 "bundle, a device, a directory)." },
	{ NC_S_UPDATE, "window", NC_CUSTOM, 0, .custom = &window, .value = "HH:MM-HH:MM",
	  .doc = "Unattended updates, once in each day's window (UTC, 24-hour; `22:00-02:00` crosses "
		 "midnight).  Needs `repo`; none by default." },

	{ NC_S_KUBE, "server", NC_TEXT, NC_HIDE, AT(nodeconf, kube_server), .check = nc_check_kube_server,
	  .value = "https://HOST[:PORT]", .doc = "The API server (a path after it is dropped)." },
	{ NC_S_KUBE, "token", NC_TEXT, NC_SECRET | NC_HIDE, AT(nodeconf, kube_token), .check = nc_check_token,
	  .value = "ID.SECRET", .doc = "A bootstrap token, `[a-z0-9]{6}.[a-z0-9]{16}`." },
};

const size_t nc_nkeys = sizeof(nc_keys) / sizeof(nc_keys[0]);
