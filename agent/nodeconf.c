/* nodeconf.c: read and check the node config (doc/node-config.md).  Every
 * value is checked here, once, so what applies it can trust it; a secret's
 * value never appears in a message. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "fileio.h"
#include "kv.h"
#include "nodeconf.h"
#include "text.h"

enum section { S_NONE, S_NODE, S_NET, S_DNS, S_TIME, S_TRUST, S_IMAGES, S_GPU, S_SLURM, S_KUBE, S_API, S_UPDATE };

static const char *const section_names[] = {
	[S_NODE] = "node", [S_NET] = "net", [S_DNS] = "dns", [S_TIME] = "time",
	[S_TRUST] = "trust", [S_IMAGES] = "images", [S_GPU] = "gpu", [S_SLURM] = "slurm",
	[S_KUBE] = "kubernetes", [S_API] = "api", [S_UPDATE] = "update",
};

struct parse {
	struct nodeconf *c;
	const char *name;
	struct kv *k;
	enum section sec;
	struct nc_net *net;
	char *err;
	size_t errsz;
};

static __attribute__((format(printf, 2, 3))) int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->k->line > 0 && p->sec != S_NONE)
		n = snprintf(p->err, p->errsz, "%s:%d: [%s%s%s] ", p->name, p->k->line,
			     section_names[p->sec], p->net ? " " : "", p->net ? p->net->name : "");
	else if (p->k->line > 0)
		n = snprintf(p->err, p->errsz, "%s:%d: ", p->name, p->k->line);
	else
		n = snprintf(p->err, p->errsz, "%s: ", p->name);
	if (n < 0 || (size_t)n >= p->errsz)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* copy: V into DST whole, the rest of DST zeroed (a value given twice
 * leaves nothing of the first). */
static int copy(struct parse *p, const char *key, char *dst, size_t size, const char *v)
{
	if (strlen(v) >= size)
		return fail(p, "%s: longer than %zu bytes", key, size - 1);
	memset(dst, 0, size);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int all_of(const char *s, const char *set)
{
	return *s != '\0' && strspn(s, set) == strlen(s);
}

#define LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"
#define HEX "0123456789abcdefABCDEF"

/* hostname: one RFC 1123 label, lower case. */
static int label_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && all_of(s, LOWER_DIGITS "-") && s[0] != '-' && s[n - 1] != '-';
}

/* host: a DNS name (labels of letters, digits and '-') or an IP address. */
static int host_ok(const char *s)
{
	unsigned char a[16];
	char label[64];
	const char *dot;

	if (inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1)
		return 1;
	if (strlen(s) >= NC_HOST || *s == '\0')
		return 0;
	for (; *s != '\0'; s = *dot ? dot + 1 : dot) {
		dot = strchrnul(s, '.');
		if ((size_t)(dot - s) >= sizeof(label))
			return 0;
		memcpy(label, s, (size_t)(dot - s));
		label[dot - s] = '\0';
		for (char *c = label; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (!label_ok(label, 63))
			return 0;
	}
	return 1;
}

static int ifname_ok(const char *s)
{
	return strlen(s) < NC_IFNAME && all_of(s, LOWER_DIGITS "_.-") && strcmp(s, ".") != 0 &&
	       strcmp(s, "..") != 0;
}

/* path_ok: absolute, no '..' component. */
static int path_ok(const char *s)
{
	size_t n = strlen(s);

	return s[0] == '/' && n < NC_PATH && strstr(s, "/../") == NULL &&
	       !(n >= 3 && strcmp(s + n - 3, "/..") == 0);
}

/* addr_ok: ADDRESS/PREFIX; 4 or 6 in *family. */
static int addr_ok(const char *v, int *family)
{
	char a[50];
	unsigned char bin[16];
	unsigned long long prefix;
	const char *slash = strchr(v, '/');

	if (slash == NULL || (size_t)(slash - v) >= sizeof(a))
		return 0;
	memcpy(a, v, (size_t)(slash - v));
	a[slash - v] = '\0';
	if (inet_pton(AF_INET, a, bin) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, a, bin) == 1)
		*family = 6;
	else
		return 0;
	return text_uint(slash + 1, *family == 4 ? 32 : 128, &prefix) == 0;
}

/* "HH:MM-HH:MM" into minutes of the day; the two differ. */
static int window_parse(const char *v, int *start, int *end)
{
	unsigned h1, m1, h2, m2;
	char tail;

	if (strlen(v) != 11 || sscanf(v, "%2u:%2u-%2u:%2u%c", &h1, &m1, &h2, &m2, &tail) != 4 ||
	    !all_of(v, "0123456789:-") || v[2] != ':' || v[5] != '-' || v[8] != ':' || h1 > 23 || h2 > 23 ||
	    m1 > 59 || m2 > 59 || h1 * 60 + m1 == h2 * 60 + m2)
		return -1;
	*start = (int)(h1 * 60 + m1);
	*end = (int)(h2 * 60 + m2);
	return 0;
}

static int number(struct parse *p, const char *key, const char *v, unsigned long long lo,
		  unsigned long long hi, unsigned *out)
{
	unsigned long long n;

	if (text_uint(v, hi, &n) < 0 || n < lo)
		return fail(p, "%s: '%s' is not a number from %llu to %llu", key, v, lo, hi);
	*out = (unsigned)n;
	return 0;
}

static int yes_no(struct parse *p, const char *key, const char *v, int *out)
{
	if (strcmp(v, "yes") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0)
		*out = 0;
	else
		return fail(p, "%s: '%s' is not yes or no", key, v);
	return 0;
}

static int key_match(struct parse *p, struct nc_net *n, const char *v)
{
	const char *arg = v + strcspn(v, " \t");
	size_t kind = (size_t)(arg - v), i;

	arg += strspn(arg, " \t");
	if (strlen(arg) >= sizeof(n->match_value))
		return fail(p, "match: value too long");
	if (kind == 3 && strncmp(v, "mac", 3) == 0) {
		if (strlen(arg) != 17)
			return fail(p, "match: 'mac' wants six hex pairs, 52:54:00:12:34:56");
		for (i = 0; i < 17; i++)
			if (i % 3 == 2 ? arg[i] != ':' : strchr(HEX, arg[i]) == NULL)
				return fail(p, "match: 'mac' wants six hex pairs, 52:54:00:12:34:56");
		n->match = NC_MATCH_MAC;
	} else if (kind == 3 && strncmp(v, "pci", 3) == 0) {
		if (strlen(arg) != 12 || arg[4] != ':' || arg[7] != ':' || arg[10] != '.' ||
		    strspn(arg, HEX ":.") != 12)
			return fail(p, "match: 'pci' wants a PCI address, 0000:3b:00.0");
		n->match = NC_MATCH_PCI;
	} else if (kind == 4 && strncmp(v, "name", 4) == 0) {
		if (!ifname_ok(arg))
			return fail(p, "match: '%s' is not an interface name", arg);
		n->match = NC_MATCH_NAME;
	} else {
		return fail(p, "match: 'mac ADDRESS', 'pci ADDRESS' or 'name NAME'");
	}
	memset(n->match_value, 0, sizeof(n->match_value));
	for (i = 0; arg[i] != '\0'; i++)
		n->match_value[i] = (char)(arg[i] >= 'A' && arg[i] <= 'F' ? arg[i] - 'A' + 'a' : arg[i]);
	n->match_value[i] = '\0';
	return 0;
}

static int net_key(struct parse *p, const char *key, char *v)
{
	struct nc_net *n = p->net;
	char *w;
	int fam;

	if (strcmp(key, "match") == 0)
		return key_match(p, n, v);
	if (strcmp(key, "dhcp") == 0)
		return yes_no(p, key, v, &n->dhcp);
	if (strcmp(key, "address") == 0) {
		if (!addr_ok(v, &fam))
			return fail(p, "address: '%s' is not ADDRESS/PREFIX (10.0.0.5/24, fd00::5/64)", v);
		if (n->naddr == NC_ADDR_MAX)
			return fail(p, "address: at most %d", NC_ADDR_MAX);
		return copy(p, key, n->addr[n->naddr++], sizeof(n->addr[0]), v);
	}
	if (strcmp(key, "gateway") == 0) {
		unsigned char bin[16];

		if (inet_pton(AF_INET, v, bin) == 1)
			return copy(p, key, n->gateway4, sizeof(n->gateway4), v);
		if (inet_pton(AF_INET6, v, bin) == 1)
			return copy(p, key, n->gateway6, sizeof(n->gateway6), v);
		return fail(p, "gateway: '%s' is not an IP address", v);
	}
	if (strcmp(key, "mtu") == 0)
		return number(p, key, v, 68, 65535, &n->mtu);
	if (strcmp(key, "bond") == 0) {
		for (w = strtok(v, " \t"); w != NULL; w = strtok(NULL, " \t")) {
			if (!ifname_ok(w))
				return fail(p, "bond: '%s' is not an interface name", w);
			if (n->nbond == NC_BOND_MAX)
				return fail(p, "bond: at most %d members", NC_BOND_MAX);
			memcpy(n->bond[n->nbond++], w, strlen(w) + 1);
		}
		return 0;
	}
	if (strcmp(key, "bond-mode") == 0) {
		if (strcmp(v, "802.3ad") != 0 && strcmp(v, "active-backup") != 0 &&
		    strcmp(v, "balance-xor") != 0)
			return fail(p, "bond-mode: '%s': 802.3ad, active-backup or balance-xor", v);
		return copy(p, key, n->bond_mode, sizeof(n->bond_mode), v);
	}
	if (strcmp(key, "vlan") == 0) {
		char *id = v + strcspn(v, " \t");

		if (*id == '\0')
			return fail(p, "vlan: 'PARENT ID', e.g. bond0 100");
		*id++ = '\0';
		id += strspn(id, " \t");
		if (!ifname_ok(v))
			return fail(p, "vlan: '%s' is not an interface name", v);
		memset(n->vlan_parent, 0, sizeof(n->vlan_parent));
		memcpy(n->vlan_parent, v, strlen(v) + 1);
		return number(p, "vlan", id, 1, 4094, &n->vlan_id);
	}
	return fail(p, "unknown key '%s'", key);
}

static int add_host(struct parse *p, const char *key, char (*list)[NC_HOST], int *n, const char *v)
{
	if (!host_ok(v))
		return fail(p, "%s: '%s' is not a host name or address", key, v);
	if (*n == NC_LIST_MAX)
		return fail(p, "%s: at most %d", key, NC_LIST_MAX);
	return copy(p, key, list[(*n)++], NC_HOST, v);
}

/* munge-key: base64, decoded by EVP_DecodeBlock, which keeps no state:
 * EVP_DecodeUpdate's context would leave the key's text in freed memory
 * (where the API's unprivileged side could find it). */
static int munge_key(struct parse *p, const char *v)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char out[NC_SECRET_MAX + 64];
	size_t len = strlen(v), k = strspn(v, b64), pad = len - k;
	int n;

	if (len > (size_t)(NC_SECRET_MAX / 3 + 1) * 4)
		return fail(p, "munge-key: longer than %d bytes", NC_SECRET_MAX);
	/* The value itself never goes into a message. */
	if (len == 0 || len % 4 != 0 || pad > 2 || strspn(v + k, "=") != pad ||
	    (n = EVP_DecodeBlock(out, (const unsigned char *)v, (int)len)) < 0)
		return fail(p, "munge-key: not base64 (the key is not shown)");
	n -= (int)pad;
	if (n < 32 || n > NC_SECRET_MAX) {
		OPENSSL_cleanse(out, sizeof(out));
		return fail(p, "munge-key: %d bytes: MUNGE wants 32 to %d (the key is not shown)", n, NC_SECRET_MAX);
	}
	memcpy(p->c->munge_key, out, (size_t)n);
	p->c->munge_key_len = (size_t)n;
	OPENSSL_cleanse(out, sizeof(out));
	return 0;
}

static int token_ok(const char *v)
{
	return strlen(v) == 23 && v[6] == '.' && strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789") == 6 &&
	       strspn(v + 7, "abcdefghijklmnopqrstuvwxyz0123456789") == 16;
}

/* controller: HOST or HOST:PORT ([v6]:PORT). */
static int hostport_ok(const char *v)
{
	char h[NC_HOST];
	const char *colon = strrchr(v, ':');
	unsigned long long port;
	unsigned char bin[16];

	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (close == NULL || (size_t)(close - v - 1) >= sizeof(h))
			return 0;
		memcpy(h, v + 1, (size_t)(close - v - 1));
		h[close - v - 1] = '\0';
		if (inet_pton(AF_INET6, h, bin) != 1)
			return 0;
		return close[1] == '\0' ||
		       (close[1] == ':' && text_uint(close + 2, 65535, &port) == 0 && port > 0);
	}
	if (colon == NULL || inet_pton(AF_INET6, v, bin) == 1)
		return host_ok(v);
	if ((size_t)(colon - v) >= sizeof(h))
		return 0;
	memcpy(h, v, (size_t)(colon - v));
	h[colon - v] = '\0';
	return host_ok(h) && text_uint(colon + 1, 65535, &port) == 0 && port > 0;
}

/* listen: a numeric address and a port, 10.0.0.5:7443 or [::]:7443. */
static int listen_ok(const char *v)
{
	char h[64];
	const char *colon = strrchr(v, ':');
	unsigned long long port;
	unsigned char bin[16];
	size_t n;

	if (colon == NULL || text_uint(colon + 1, 65535, &port) < 0)
		return 0;	/* port 0: any free one, said in the log (tests) */
	n = (size_t)(colon - v);
	if (v[0] == '[') {
		if (n < 2 || v[n - 1] != ']' || n - 2 >= sizeof(h))
			return 0;
		memcpy(h, v + 1, n - 2);
		h[n - 2] = '\0';
		return inet_pton(AF_INET6, h, bin) == 1;
	}
	if (n >= sizeof(h))
		return 0;
	memcpy(h, v, n);
	h[n] = '\0';
	return inet_pton(AF_INET, h, bin) == 1;
}

static int pem_ok(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x;
	int n = 0;

	if (b == NULL)
		return 0;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		X509_free(x);
		n++;
	}
	BIO_free(b);
	return n;
}

static int key_value(struct parse *p, const char *key, char *v)
{
	struct nodeconf *c = p->c;

	switch (p->sec) {
	case S_NONE:
		return fail(p, "'%s' before any [section]", key);
	case S_NODE:
		if (strcmp(key, "hostname") == 0) {
			if (!label_ok(v, 63))
				return fail(p, "hostname: '%s': letters a-z, digits and '-', up to 63", v);
			return copy(p, key, c->hostname, sizeof(c->hostname), v);
		}
		if (strcmp(key, "profile") == 0) {
			if (strcmp(v, "standalone") == 0)
				c->profile = NC_STANDALONE;
			else if (strcmp(v, "slurm") == 0)
				c->profile = NC_SLURM;
			else if (strcmp(v, "kubernetes") == 0)
				c->profile = NC_KUBERNETES;
			else
				return fail(p, "profile: '%s': standalone, slurm or kubernetes", v);
			return 0;
		}
		break;
	case S_NET:
		return net_key(p, key, v);
	case S_DNS:
		if (strcmp(key, "server") == 0) {
			unsigned char bin[16];

			if (inet_pton(AF_INET, v, bin) != 1 && inet_pton(AF_INET6, v, bin) != 1)
				return fail(p, "server: '%s' is not an IP address", v);
			if (c->ndns == 3)
				return fail(p, "server: at most 3 (the resolver's limit)");
			return copy(p, key, c->dns[c->ndns++], sizeof(c->dns[0]), v);
		}
		if (strcmp(key, "search") == 0) {
			if (!host_ok(v))
				return fail(p, "search: '%s' is not a domain name", v);
			return copy(p, key, c->search, sizeof(c->search), v);
		}
		break;
	case S_TIME:
		if (strcmp(key, "server") == 0)
			return add_host(p, key, c->ntp, &c->nntp, v);
		if (strcmp(key, "max-unsure") == 0)
			return number(p, key, v, 60, 604800, &c->max_unsure);
		break;
	case S_TRUST:
		if (strcmp(key, "ca-file") == 0) {
			if (!path_ok(v))
				return fail(p, "ca-file: '%s' is not an absolute path", v);
			return copy(p, key, c->ca_file, sizeof(c->ca_file), v);
		}
		break;
	case S_IMAGES:
		if (strcmp(key, "dir") == 0) {
			if (!path_ok(v))
				return fail(p, "dir: '%s' is not an absolute path", v);
			if (c->nimage_dirs == NC_LIST_MAX)
				return fail(p, "dir: at most %d", NC_LIST_MAX);
			return copy(p, key, c->image_dirs[c->nimage_dirs++], NC_PATH, v);
		}
		break;
	case S_GPU:
		if (strcmp(key, "count") == 0)
			return number(p, key, v, 1, 64, &c->gpu_count);
		if (strcmp(key, "model") == 0)
			return copy(p, key, c->gpu_model, sizeof(c->gpu_model), v);
		if (strcmp(key, "cdi-devices-env") == 0)
			return yes_no(p, key, v, &c->cdi_env);
		break;
	case S_SLURM:
		if (strcmp(key, "controller") == 0) {
			if (!hostport_ok(v))
				return fail(p, "controller: '%s' is not HOST or HOST:PORT", v);
			return copy(p, key, c->slurm_controller, sizeof(c->slurm_controller), v);
		}
		if (strcmp(key, "munge-key") == 0)
			return munge_key(p, v);
		if (strcmp(key, "munge-key-file") == 0) {
			if (!path_ok(v))
				return fail(p, "munge-key-file: '%s' is not an absolute path", v);
			return copy(p, key, c->munge_key_file, sizeof(c->munge_key_file), v);
		}
		if (strcmp(key, "dynamic") == 0) {
			int dyn;

			if (yes_no(p, key, v, &dyn) < 0)
				return -EINVAL;
			c->slurm_static = !dyn;
			return 0;
		}
		if (strcmp(key, "features") == 0) {
			if (!all_of(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,-") ||
			    v[0] == ',' || strstr(v, ",,") != NULL || v[strlen(v) - 1] == ',')
				return fail(p, "features: '%s' is not NAME[,NAME...] (letters, digits, _ . -)", v);
			return copy(p, key, c->slurm_features, sizeof(c->slurm_features), v);
		}
		break;
	case S_UPDATE:
		if (strcmp(key, "health-timeout") == 0)
			return number(p, key, v, 10, 3600, &c->health_timeout);
		if (strcmp(key, "repo") == 0) {
			if ((strncmp(v, "https://", 8) != 0 || v[8] == '\0' || v[8] == '/') && !path_ok(v))
				return fail(p, "repo: '%s' is not an https:// URL or an absolute path", v);
			if (!all_of(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				       "-._~:/?#[]@!$&'()*+,;=%"))
				return fail(p, "repo: '%s' has a character a URL or path here may not", v);
			return copy(p, key, c->update_repo, sizeof(c->update_repo), v);
		}
		if (strcmp(key, "window") == 0) {
			if (window_parse(v, &c->window_start, &c->window_end) < 0)
				return fail(p, "window: '%s' is not HH:MM-HH:MM (UTC, 24-hour; 22:00-02:00 crosses "
					    "midnight)", v);
			return 0;
		}
		break;
	case S_API:
		if (strcmp(key, "listen") == 0) {
			if (!listen_ok(v))
				return fail(p, "listen: '%s' is not ADDRESS:PORT (10.0.0.5:7443, [::]:7443)", v);
			return copy(p, key, c->api_listen, sizeof(c->api_listen), v);
		}
		if (strcmp(key, "cert-file") == 0 || strcmp(key, "key-file") == 0) {
			if (!path_ok(v))
				return fail(p, "%s: '%s' is not an absolute path", key, v);
			if (key[0] == 'c')
				return copy(p, key, c->api_cert, sizeof(c->api_cert), v);
			return copy(p, key, c->api_key, sizeof(c->api_key), v);
		}
		if (strcmp(key, "client-ca") == 0 || strcmp(key, "crl") == 0 || strcmp(key, "allow-file") == 0) {
			if (!path_ok(v))
				return fail(p, "%s: '%s' is not an absolute path", key, v);
			if (key[0] == 'c' && key[1] == 'l')
				return copy(p, key, c->api_client_ca, sizeof(c->api_client_ca), v);
			if (key[0] == 'c')
				return copy(p, key, c->api_crl, sizeof(c->api_crl), v);
			return copy(p, key, c->api_allow, sizeof(c->api_allow), v);
		}
		break;
	case S_KUBE:
		if (strcmp(key, "server") == 0) {
			/* The API server's root: a path after it is dropped. */
			if (strncmp(v, "https://", 8) == 0)
				v[8 + strcspn(v + 8, "/")] = '\0';
			if (strncmp(v, "https://", 8) != 0 || !hostport_ok(v + 8))
				return fail(p, "server: 'https://HOST[:PORT]', the API server");
			return copy(p, key, c->kube_server, sizeof(c->kube_server), v);
		}
		if (strcmp(key, "token") == 0) {
			if (!token_ok(v))
				return fail(p, "token: not a bootstrap token ([a-z0-9]{6}.[a-z0-9]{16}; not shown)");
			return copy(p, key, c->kube_token, sizeof(c->kube_token), v);
		}
		break;
	}
	return fail(p, "unknown key '%s'", key);
}

static int section(struct parse *p, const char *name, const char *arg)
{
	struct nodeconf *c = p->c;
	size_t i;

	p->net = NULL;
	for (i = 1; i < sizeof(section_names) / sizeof(section_names[0]); i++)
		if (strcmp(name, section_names[i]) == 0)
			break;
	if (i == sizeof(section_names) / sizeof(section_names[0])) {
		p->sec = S_NONE;
		return fail(p, "unknown section [%s]", name);
	}
	p->sec = (enum section)i;
	if (p->sec == S_API)
		c->api = 1;
	if (p->sec != S_NET) {
		if (*arg != '\0')
			return fail(p, "[%s] takes no name", name);
		return 0;
	}
	p->sec = S_NONE;	/* the messages below name the section themselves */
	if (!ifname_ok(arg))
		return fail(p, "[net NAME]: '%s' is not an interface name (a-z0-9_.-, up to 15)", arg);
	for (i = 0; i < (size_t)c->nnet; i++)
		if (strcmp(c->net[i].name, arg) == 0)
			return fail(p, "[net %s] given twice", arg);
	if (c->nnet == NC_NET_MAX)
		return fail(p, "at most %d [net] sections", NC_NET_MAX);
	p->sec = S_NET;
	p->net = &c->net[c->nnet++];
	memcpy(p->net->name, arg, strlen(arg) + 1);
	p->net->dhcp = -1;
	return 0;
}

static struct nc_net *net_find(struct nodeconf *c, const char *name)
{
	int i;

	for (i = 0; i < c->nnet; i++)
		if (strcmp(c->net[i].name, name) == 0)
			return &c->net[i];
	return NULL;
}

/* The whole: what no one line can tell. */
static int check_whole(struct parse *p)
{
	struct nodeconf *c = p->c;
	int i, j;

	p->k->line = 0;
	p->sec = S_NONE;
	p->net = NULL;
	for (i = 0; i < c->nnet; i++) {
		struct nc_net *n = &c->net[i];
		int kinds = (n->match != NC_MATCH_NONE) + (n->nbond > 0) + (n->vlan_parent[0] != '\0');

		if (kinds != 1)
			return fail(p, "[net %s]: exactly one of match, bond or vlan", n->name);
		if (n->dhcp == 1 && n->naddr > 0)
			return fail(p, "[net %s]: dhcp = yes and a static address", n->name);
		if (n->bond_mode[0] != '\0' && n->nbond == 0)
			return fail(p, "[net %s]: bond-mode without bond", n->name);
		for (j = 0; j < n->nbond; j++) {
			struct nc_net *m = net_find(c, n->bond[j]);

			if (m == NULL || m->match == NC_MATCH_NONE)
				return fail(p, "[net %s]: bond member '%s' is not a [net] with a match",
					    n->name, n->bond[j]);
			if (m->naddr > 0 || m->dhcp == 1)
				return fail(p, "[net %s]: bond member '%s' has addresses of its own",
					    n->name, n->bond[j]);
		}
		if (n->vlan_parent[0] != '\0' && net_find(c, n->vlan_parent) == NULL)
			return fail(p, "[net %s]: vlan parent '%s' is not a [net]", n->name, n->vlan_parent);
	}
	if (c->ca_pem[0] != '\0' && c->ca_file[0] != '\0')
		return fail(p, "[trust]: ca and ca-file both given");
	if (c->munge_key_len > 0 && c->munge_key_file[0] != '\0')
		return fail(p, "[slurm]: munge-key and munge-key-file both given");
	if (c->profile == NC_SLURM &&
	    (c->slurm_controller[0] == '\0' || (c->munge_key_len == 0 && c->munge_key_file[0] == '\0')))
		return fail(p, "profile slurm needs [slurm] controller and munge-key or munge-key-file");
	if (c->api && (c->api_cert[0] == '\0' || c->api_key[0] == '\0' || c->api_client_ca[0] == '\0'))
		return fail(p, "[api] needs cert-file, key-file and client-ca (the operators' own CA, not [trust]'s)");
	if (c->api && c->api_listen[0] == '\0')
		memcpy(c->api_listen, NC_API_LISTEN, sizeof(NC_API_LISTEN));
	if (c->profile == NC_KUBERNETES &&
	    (c->kube_server[0] == '\0' || c->kube_token[0] == '\0' ||
	     (c->ca_pem[0] == '\0' && c->ca_file[0] == '\0')))
		return fail(p, "profile kubernetes needs [kubernetes] server and token, and [trust] ca");
	if (c->window_start >= 0 && c->update_repo[0] == '\0')
		return fail(p, "[update] window needs repo (where the updates come from)");
	return 0;
}

/*
 * nodeconf_parse: C from TEXT, the config called NAME (for messages).
 * 0, or -EINVAL with "NAME:LINE: [section] key: what" in ERR; C is then
 * cleared, secrets included.
 */
int nodeconf_parse(struct nodeconf *c, const char *name, const char *text, size_t len,
		   char *err, size_t errsz)
{
	struct kv k;
	struct parse p = { c, name, &k, S_NONE, NULL, err, errsz };
	const char *why = "";
	char end[64];
	size_t n;
	int rc;

	memset(c, 0, sizeof(*c));
	c->health_timeout = NC_HEALTH_TIMEOUT;
	c->max_unsure = NC_MAX_UNSURE;
	c->window_start = c->window_end = -1;
	kv_init(&k, text, len);
	if (len > NC_FILE_MAX) {
		rc = fail(&p, "larger than %d bytes", NC_FILE_MAX);
		goto out;
	}
	while ((rc = kv_next(&k, &why)) != KV_END) {
		if (rc < 0) {
			rc = fail(&p, "%s", why);
			goto out;
		}
		if (rc == KV_SECTION) {
			rc = section(&p, k.key, k.value);
		} else if (rc == KV_BLOCK) {
			if (p.sec != S_TRUST || strcmp(k.key, "ca") != 0) {
				rc = fail(&p, "'%s <<%s': only [trust] ca takes a block", k.key, k.value);
				goto out;
			}
			snprintf(end, sizeof(end), "%s", k.value);
			memset(c->ca_pem, 0, sizeof(c->ca_pem));
			rc = kv_block(&k, end, c->ca_pem, sizeof(c->ca_pem), &n, &why);
			if (rc < 0) {
				rc = fail(&p, "ca: %s", why);
				goto out;
			}
			if (pem_ok(c->ca_pem) == 0)
				rc = fail(&p, "ca: no PEM certificate in the block");
		} else {
			rc = key_value(&p, k.key, k.value);
		}
		if (rc < 0)
			goto out;
	}
	rc = check_whole(&p);
out:
	OPENSSL_cleanse(&k, sizeof(k));
	if (rc < 0)
		OPENSSL_cleanse(c, sizeof(*c));
	return rc < 0 ? rc : 0;
}

int nodeconf_load(struct nodeconf *c, const char *path, char *err, size_t errsz)
{
	char *text;
	size_t len;
	int rc;

	rc = file_read_alloc(path, NC_FILE_MAX, &text, &len);
	if (rc == -E2BIG)
		return err_fail(err, errsz, "%s: larger than %d bytes", path, NC_FILE_MAX);
	if (rc < 0)
		return err_fail(err, errsz, "%s: %s", path, strerror(-rc));
	rc = nodeconf_parse(c, path, text, len, err, errsz);
	OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

const char *nodeconf_profile_name(enum nc_profile p)
{
	return p == NC_SLURM ? "slurm" : p == NC_KUBERNETES ? "kubernetes" : "standalone";
}

/* nodeconf_show: the config as it was understood, in its own format,
 * secrets replaced by a comment saying they are set. */
int nodeconf_show(const struct nodeconf *c, FILE *out)
{
	static const char *const match[] = { "", "mac", "pci", "name" };
	int i, j;

	fprintf(out, "[node]\n");
	if (c->hostname[0])
		fprintf(out, "hostname = %s\n", c->hostname);
	fprintf(out, "profile = %s\n", nodeconf_profile_name(c->profile));
	for (i = 0; i < c->nnet; i++) {
		const struct nc_net *n = &c->net[i];

		fprintf(out, "\n[net %s]\n", n->name);
		if (n->match != NC_MATCH_NONE)
			fprintf(out, "match = %s %s\n", match[n->match], n->match_value);
		if (n->nbond > 0) {
			fprintf(out, "bond =");
			for (j = 0; j < n->nbond; j++)
				fprintf(out, " %s", n->bond[j]);
			fprintf(out, "\n");
		}
		if (n->bond_mode[0])
			fprintf(out, "bond-mode = %s\n", n->bond_mode);
		if (n->vlan_parent[0])
			fprintf(out, "vlan = %s %u\n", n->vlan_parent, n->vlan_id);
		if (n->dhcp >= 0)
			fprintf(out, "dhcp = %s\n", n->dhcp ? "yes" : "no");
		for (j = 0; j < n->naddr; j++)
			fprintf(out, "address = %s\n", n->addr[j]);
		if (n->gateway4[0])
			fprintf(out, "gateway = %s\n", n->gateway4);
		if (n->gateway6[0])
			fprintf(out, "gateway = %s\n", n->gateway6);
		if (n->mtu)
			fprintf(out, "mtu = %u\n", n->mtu);
	}
	if (c->ndns > 0 || c->search[0]) {
		fprintf(out, "\n[dns]\n");
		for (i = 0; i < c->ndns; i++)
			fprintf(out, "server = %s\n", c->dns[i]);
		if (c->search[0])
			fprintf(out, "search = %s\n", c->search);
	}
	if (c->nntp > 0 || c->max_unsure != NC_MAX_UNSURE) {
		fprintf(out, "\n[time]\n");
		for (i = 0; i < c->nntp; i++)
			fprintf(out, "server = %s\n", c->ntp[i]);
		if (c->max_unsure != NC_MAX_UNSURE)
			fprintf(out, "max-unsure = %u\n", c->max_unsure);
	}
	if (c->ca_file[0] || c->ca_pem[0]) {
		fprintf(out, "\n[trust]\n");
		if (c->ca_file[0])
			fprintf(out, "ca-file = %s\n", c->ca_file);
		if (c->ca_pem[0])
			fprintf(out, "ca <<END\n%sEND\n", c->ca_pem);
	}
	if (c->nimage_dirs > 0) {
		fprintf(out, "\n[images]\n");
		for (i = 0; i < c->nimage_dirs; i++)
			fprintf(out, "dir = %s\n", c->image_dirs[i]);
	}
	if (c->gpu_count || c->gpu_model[0] || c->cdi_env) {
		fprintf(out, "\n[gpu]\n");
		if (c->gpu_count)
			fprintf(out, "count = %u\n", c->gpu_count);
		if (c->gpu_model[0])
			fprintf(out, "model = %s\n", c->gpu_model);
		if (c->cdi_env)
			fprintf(out, "cdi-devices-env = yes\n");
	}
	if (c->slurm_controller[0] || c->munge_key_len || c->munge_key_file[0]) {
		fprintf(out, "\n[slurm]\n");
		if (c->slurm_controller[0])
			fprintf(out, "controller = %s\n", c->slurm_controller);
		if (c->munge_key_len)
			fprintf(out, "# munge-key: set (%zu bytes), not shown\n", c->munge_key_len);
		if (c->munge_key_file[0])
			fprintf(out, "munge-key-file = %s\n", c->munge_key_file);
		fprintf(out, "dynamic = %s\n", c->slurm_static ? "no" : "yes");
		if (c->slurm_features[0])
			fprintf(out, "features = %s\n", c->slurm_features);
	}
	if (c->api) {
		fprintf(out, "\n[api]\nlisten = %s\ncert-file = %s\nkey-file = %s\nclient-ca = %s\n", c->api_listen,
			c->api_cert, c->api_key, c->api_client_ca);
		if (c->api_crl[0])
			fprintf(out, "crl = %s\n", c->api_crl);
		if (c->api_allow[0])
			fprintf(out, "allow-file = %s\n", c->api_allow);
	}
	if (c->health_timeout != NC_HEALTH_TIMEOUT || c->update_repo[0] || c->window_start >= 0) {
		fprintf(out, "\n[update]\n");
		if (c->health_timeout != NC_HEALTH_TIMEOUT)
			fprintf(out, "health-timeout = %u\n", c->health_timeout);
		if (c->update_repo[0])
			fprintf(out, "repo = %s\n", c->update_repo);
		if (c->window_start >= 0)
			fprintf(out, "window = %02d:%02d-%02d:%02d\n", c->window_start / 60, c->window_start % 60,
				c->window_end / 60, c->window_end % 60);
	}
	if (c->kube_server[0] || c->kube_token[0]) {
		fprintf(out, "\n[kubernetes]\n");
		if (c->kube_server[0])
			fprintf(out, "server = %s\n", c->kube_server);
		if (c->kube_token[0])
			fprintf(out, "# token: set, not shown\n");
	}
	return ferror(out) ? -EIO : 0;
}
