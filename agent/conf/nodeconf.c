/* nodeconf.c: read and check the node config (doc/node-config.md), key by
 * key as the table of keys (nodeconf_keys.c) says.  Every value is checked
 * here, once, so what applies it can trust it; a secret's value never
 * appears in a message. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "fileio.h"
#include "kv.h"
#include "conf/nodeconf_keys.h"
#include "text.h"

int nc_fail(struct nc_parse *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->k->line > 0 && p->sec != NC_S_NONE)
		n = snprintf(p->err, p->errsz, "%s:%d: [%s%s%s] ", p->name, p->k->line,
			     nc_sections[p->sec].name, p->net ? " " : "", p->net ? p->net->name : "");
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

/* nc_copy: V into DST whole, the rest of DST zeroed (a value given twice
 * leaves nothing of the first). */
int nc_copy(struct nc_parse *p, const char *key, char *dst, size_t size, const char *v)
{
	if (strlen(v) >= size)
		return nc_fail(p, "%s: longer than %zu bytes", key, size - 1);
	memset(dst, 0, size);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

int nc_number(struct nc_parse *p, const char *key, const char *v, unsigned long long lo,
	      unsigned long long hi, unsigned *out)
{
	unsigned long long n;

	if (text_uint(v, hi, &n) < 0 || n < lo)
		return nc_fail(p, "%s: '%s' is not a number from %llu to %llu", key, v, lo, hi);
	*out = (unsigned)n;
	return 0;
}

static const struct nc_key *key_find(enum nc_section sec, const char *name)
{
	size_t i;

	for (i = 0; i < nc_nkeys; i++)
		if (nc_keys[i].section == sec && strcmp(nc_keys[i].name, name) == 0)
			return &nc_keys[i];
	return NULL;
}

/* The defaults of a struct nodeconf (NET 0) or of a [net]'s nc_net (1). */
static void defaults(void *base, int net)
{
	const struct nc_key *k;
	char *f;

	for (k = nc_keys; k < nc_keys + nc_nkeys; k++) {
		if ((k->section == NC_S_NET) != net)
			continue;
		f = (char *)base + k->off;
		if (k->type == NC_UINT)
			*(unsigned *)f = (unsigned)k->def;
		else if (k->type == NC_BOOL || k->type == NC_ENUM)
			*(int *)f = (int)k->def;
		else if (k->type == NC_CUSTOM && k->custom->init != NULL)
			k->custom->init(base);
	}
}

/* A value check refused: the value repeated unless it is not to be. */
static int bad(struct nc_parse *p, const struct nc_key *k, const char *v, const char *why)
{
	if (k->flags & (NC_SECRET | NC_HIDE))
		return nc_fail(p, "%s: %s", k->name, why);
	return nc_fail(p, "%s: '%s'%s", k->name, v, why);
}

static int list_add(struct nc_parse *p, const struct nc_key *k, void *base, char *v)
{
	int *n = (int *)((char *)base + k->count_off);
	const char *why;

	if (k->check != NULL && (why = k->check(v)) != NULL)
		return bad(p, k, v, why);
	if (*n == k->max)
		return nc_fail(p, "%s: at most %lld%s", k->name, k->max, k->more != NULL ? k->more : "");
	return nc_copy(p, k->name, (char *)base + k->off + (size_t)(*n)++ * k->size, k->size, v);
}

static int list(struct nc_parse *p, const struct nc_key *k, void *base, char *v)
{
	char *w, *save;
	int rc;

	if (!(k->flags & NC_SPLIT))
		return list_add(p, k, base, v);
	for (w = strtok_r(v, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save))
		if ((rc = list_add(p, k, base, w)) < 0)
			return rc;
	return 0;
}

/* One of K's words: "a, b or c" when V is none of them. */
static int word(struct nc_parse *p, const struct nc_key *k, char *f, const char *v)
{
	char say[256];
	size_t i, n = 0;

	for (i = 0; k->words[i] != NULL; i++)
		if (strcmp(v, k->words[i]) == 0)
			break;
	if (k->words[i] != NULL && k->type == NC_ENUM) {
		*(int *)f = (int)i;
		return 0;
	}
	if (k->words[i] != NULL)
		return nc_copy(p, k->name, f, k->size, v);
	say[0] = '\0';
	for (i = 0; k->words[i] != NULL && n < sizeof(say); i++)
		n += (size_t)snprintf(say + n, sizeof(say) - n, "%s%s", i == 0 ? "" : k->words[i + 1] ? ", " : " or ",
				      k->words[i]);
	return nc_fail(p, "%s: '%s': %s", k->name, v, say);
}

static int key_value(struct nc_parse *p, const char *key, char *v)
{
	const struct nc_key *k;
	void *base = p->sec == NC_S_NET ? (void *)p->net : (void *)p->c;
	const char *why;
	char *f;
	int yes;

	if (p->sec == NC_S_NONE)
		return nc_fail(p, "'%s' before any [section]", key);
	k = key_find(p->sec, key);
	if (k == NULL)
		return nc_fail(p, "unknown key '%s'", key);
	f = (char *)base + k->off;
	switch (k->type) {
	case NC_TEXT:
		if (k->check != NULL && (why = k->check(v)) != NULL)
			return bad(p, k, v, why);
		return nc_copy(p, k->name, f, k->size, v);
	case NC_UINT:
		return nc_number(p, k->name, v, (unsigned long long)k->min, (unsigned long long)k->max,
				 (unsigned *)f);
	case NC_BOOL:
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return nc_fail(p, "%s: '%s' is not yes or no", k->name, v);
		yes = strcmp(v, "yes") == 0;
		*(int *)f = k->flags & NC_INVERT ? !yes : yes;
		return 0;
	case NC_ENUM:
	case NC_WORD:
		return word(p, k, f, v);
	case NC_LIST:
		return list(p, k, base, v);
	case NC_CUSTOM:
		return k->custom->parse(p, k, base, v);
	case NC_PEM:
		break;	/* a block's key only: `key = value` is as unknown as any */
	}
	return nc_fail(p, "unknown key '%s'", key);
}

/* `key <<END`: only a PEM key's, the block at least one certificate. */
static int block(struct nc_parse *p)
{
	const struct nc_key *k = p->sec == NC_S_NONE ? NULL : key_find(p->sec, p->k->key);
	void *base = p->sec == NC_S_NET ? (void *)p->net : (void *)p->c;
	const char *why = "";
	char end[64], *f;
	size_t n;

	if (k == NULL || k->type != NC_PEM)
		return nc_fail(p, "'%s <<%s': only [trust] ca takes a block", p->k->key, p->k->value);
	snprintf(end, sizeof(end), "%s", p->k->value);
	f = (char *)base + k->off;
	memset(f, 0, k->size);
	if (kv_block(p->k, end, f, k->size, &n, &why) < 0)
		return nc_fail(p, "%s: %s", k->name, why);
	if (nc_pem_ok(f) == 0)
		return nc_fail(p, "%s: no PEM certificate in the block", k->name);
	return 0;
}

static int section(struct nc_parse *p, const char *name, const char *arg)
{
	struct nodeconf *c = p->c;
	size_t i;

	p->net = NULL;
	for (i = 1; i < NC_S_COUNT; i++)
		if (strcmp(name, nc_sections[i].name) == 0)
			break;
	if (i == NC_S_COUNT) {
		p->sec = NC_S_NONE;
		return nc_fail(p, "unknown section [%s]", name);
	}
	p->sec = (enum nc_section)i;
	if (nc_sections[i].present != 0)
		*(int *)((char *)c + nc_sections[i].present) = 1;
	if (p->sec != NC_S_NET) {
		if (*arg != '\0')
			return nc_fail(p, "[%s] takes no name", name);
		return 0;
	}
	p->sec = NC_S_NONE;	/* the messages below name the section themselves */
	if (!nc_ifname_ok(arg))
		return nc_fail(p, "[net NAME]: '%s' is not an interface name (a-z0-9_.-, up to 15)", arg);
	for (i = 0; i < (size_t)c->nnet; i++)
		if (strcmp(c->net[i].name, arg) == 0)
			return nc_fail(p, "[net %s] given twice", arg);
	if (c->nnet == NC_NET_MAX)
		return nc_fail(p, "at most %d [net] sections", NC_NET_MAX);
	p->sec = NC_S_NET;
	p->net = &c->net[c->nnet++];
	memcpy(p->net->name, arg, strlen(arg) + 1);
	defaults(p->net, 1);
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
static int check_whole(struct nc_parse *p)
{
	struct nodeconf *c = p->c;
	int i, j;

	p->k->line = 0;
	p->sec = NC_S_NONE;
	p->net = NULL;
	for (i = 0; i < c->nnet; i++) {
		struct nc_net *n = &c->net[i];
		int kinds = (n->match != NC_MATCH_NONE) + (n->nbond > 0) + (n->vlan_parent[0] != '\0');

		if (kinds != 1)
			return nc_fail(p, "[net %s]: exactly one of match, bond or vlan", n->name);
		if (n->dhcp == 1 && n->naddr > 0)
			return nc_fail(p, "[net %s]: dhcp = yes and a static address", n->name);
		if (n->bond_mode[0] != '\0' && n->nbond == 0)
			return nc_fail(p, "[net %s]: bond-mode without bond", n->name);
		for (j = 0; j < n->nbond; j++) {
			struct nc_net *m = net_find(c, n->bond[j]);

			if (m == NULL || m->match == NC_MATCH_NONE)
				return nc_fail(p, "[net %s]: bond member '%s' is not a [net] with a match",
					    n->name, n->bond[j]);
			if (m->naddr > 0 || m->dhcp == 1)
				return nc_fail(p, "[net %s]: bond member '%s' has addresses of its own",
					    n->name, n->bond[j]);
		}
		if (n->vlan_parent[0] != '\0' && net_find(c, n->vlan_parent) == NULL)
			return nc_fail(p, "[net %s]: vlan parent '%s' is not a [net]", n->name, n->vlan_parent);
	}
	if (c->ca_pem[0] != '\0' && c->ca_file[0] != '\0')
		return nc_fail(p, "[trust]: ca and ca-file both given");
	if (c->munge_key_len > 0 && c->munge_key_file[0] != '\0')
		return nc_fail(p, "[slurm]: munge-key and munge-key-file both given");
	if (c->profile == NC_SLURM &&
	    (c->slurm_controller[0] == '\0' || (c->munge_key_len == 0 && c->munge_key_file[0] == '\0')))
		return nc_fail(p, "profile slurm needs [slurm] controller and munge-key or munge-key-file");
	if (c->api && (c->api_cert[0] == '\0' || c->api_key[0] == '\0' || c->api_client_ca[0] == '\0'))
		return nc_fail(p, "[api] needs cert-file, key-file and client-ca (the operators' own CA, not [trust]'s)");
	if (c->api && c->api_listen[0] == '\0')
		memcpy(c->api_listen, NC_API_LISTEN, sizeof(NC_API_LISTEN));
	if (c->profile == NC_KUBERNETES &&
	    (c->kube_server[0] == '\0' || c->kube_token[0] == '\0' ||
	     (c->ca_pem[0] == '\0' && c->ca_file[0] == '\0')))
		return nc_fail(p, "profile kubernetes needs [kubernetes] server and token, and [trust] ca");
	if (c->window_start >= 0 && c->update_repo[0] == '\0')
		return nc_fail(p, "[update] window needs repo (where the updates come from)");
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
	struct nc_parse p = { c, name, &k, NC_S_NONE, NULL, err, errsz };
	const char *why = "";
	int rc;

	memset(c, 0, sizeof(*c));
	defaults(c, 0);
	kv_init(&k, text, len);
	if (len > NC_FILE_MAX) {
		rc = nc_fail(&p, "larger than %d bytes", NC_FILE_MAX);
		goto out;
	}
	while ((rc = kv_next(&k, &why)) != KV_END) {
		if (rc < 0) {
			rc = nc_fail(&p, "%s", why);
			goto out;
		}
		if (rc == KV_SECTION)
			rc = section(&p, k.key, k.value);
		else if (rc == KV_BLOCK)
			rc = block(&p);
		else
			rc = key_value(&p, k.key, k.value);
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
	return (unsigned)p <= NC_KUBERNETES ? nc_profile_words[p] : nc_profile_words[NC_STANDALONE];
}
