/* nodeconf_keys.h: node.conf's keys as one table (nodeconf_keys.c), which
 * the parser (nodeconf.c), `config show` and `config keys` (nodeconf_show.c)
 * all walk: a new key is a row there and a field in struct nodeconf.  For
 * agent/conf's node config files only. */
#ifndef CAIRN_NODECONF_KEYS_H
#define CAIRN_NODECONF_KEYS_H

#include <stddef.h>
#include <stdio.h>

#include "kv.h"
#include "conf/nodeconf.h"

/* The sections, in the order `config show` and `config keys` print them. */
enum nc_section {
	NC_S_NONE, NC_S_NODE, NC_S_NET, NC_S_DNS, NC_S_TIME, NC_S_TRUST, NC_S_IMAGES, NC_S_GPU,
	NC_S_SLURM, NC_S_API, NC_S_UPDATE, NC_S_KUBE, NC_S_COUNT
};

struct nc_section_def {
	const char *name;
	const char *title;	/* the doc's header, "net NAME"; NULL: the name */
	int always;		/* shown with nothing set in it ([node]) */
	size_t present;		/* not 0: the int in struct nodeconf that giving the
				 * section sets, and that alone shows it ([api]) */
	const char *doc;	/* a line under the doc's header, or NULL */
};

enum nc_type {
	NC_TEXT,	/* a string of at most size - 1 bytes, passed by check */
	NC_UINT,	/* an unsigned int from min to max */
	NC_BOOL,	/* yes or no, into an int (-1 as def: not said) */
	NC_ENUM,	/* one of words: its index, into an int */
	NC_WORD,	/* one of words, as a string */
	NC_LIST,	/* each value added to an array of max strings (each its own size),
			 * counted by the int at count_off */
	NC_PEM,		/* a `key <<END` block of PEM certificates, never `key = value` */
	NC_CUSTOM,	/* a parse (and show) of its own: custom */
};

#define NC_SECRET 1u	/* its value is in no message and not shown */
#define NC_HIDE 2u	/* a bad value is not repeated in its message */
#define NC_ALWAYS 4u	/* shown whenever its section is, set or not */
#define NC_SPLIT 8u	/* NC_LIST: a line gives words, each an element */
#define NC_INVERT 16u	/* NC_BOOL: yes stores 0 */

/* A config being read: where in it, and where its message goes. */
struct nc_parse {
	struct nodeconf *c;
	const char *name;
	struct kv *k;
	enum nc_section sec;
	struct nc_net *net;
	char *err;
	size_t errsz;
};

struct nc_key;

/* A key of its own kind; base: the struct nodeconf, or the [net]'s nc_net. */
struct nc_custom {
	int (*parse)(struct nc_parse *p, const struct nc_key *k, void *base, char *v);
	int (*set)(const void *base);			/* shown at all */
	void (*show)(FILE *out, const struct nc_key *k, const void *base);
	void (*init)(void *base);			/* the default; NULL: zeroes */
};

struct nc_key {
	enum nc_section section;
	const char *name;
	enum nc_type type;
	unsigned flags;				/* NC_SECRET... */
	size_t off, size;			/* its field in struct nodeconf ([net]: struct
						 * nc_net); NC_LIST: one element's size */
	size_t count_off;			/* NC_LIST: its count */
	long long min, max;			/* NC_UINT's bounds; NC_LIST: max, its length */
	long long def;				/* NC_UINT's, NC_BOOL's, NC_ENUM's default */
	const char *(*check)(char *v);		/* NC_TEXT, NC_LIST: NULL when V is good,
						 * else what follows "key: 'V'" */
	const char *const *words;		/* NC_ENUM, NC_WORD: NULL-ended */
	const char *more;			/* NC_LIST: said after "at most N" */
	const struct nc_custom *custom;		/* NC_CUSTOM */
	const char *value;			/* the doc: what the value looks like */
	const char *doc;			/* the doc: one line */
};

extern const struct nc_section_def nc_sections[NC_S_COUNT];
extern const struct nc_key nc_keys[];
extern const size_t nc_nkeys;
extern const char *const nc_profile_words[];

/* nodeconf.c: a message "NAME:LINE: [section] ...", -EINVAL; the checked
 * copy of a value into its field; a number from LO to HI. */
int nc_fail(struct nc_parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int nc_copy(struct nc_parse *p, const char *key, char *dst, size_t size, const char *v);
int nc_number(struct nc_parse *p, const char *key, const char *v, unsigned long long lo,
	      unsigned long long hi, unsigned *out);

/* nodeconf_check.c: what a value may be. */
int nc_all_of(const char *s, const char *set);
int nc_label_ok(const char *s, size_t max);
int nc_host_ok(const char *s);
int nc_ifname_ok(const char *s);
int nc_path_ok(const char *s);
int nc_pem_ok(const char *pem);
int nc_window_parse(const char *v, int *start, int *end);
const char *nc_check_hostname(char *v);
const char *nc_check_ifname(char *v);
const char *nc_check_path(char *v);
const char *nc_check_address(char *v);
const char *nc_check_ip(char *v);
const char *nc_check_domain(char *v);
const char *nc_check_host(char *v);
const char *nc_check_hostport(char *v);
const char *nc_check_features(char *v);
const char *nc_check_listen(char *v);
const char *nc_check_repo(char *v);
const char *nc_check_kube_server(char *v);
const char *nc_check_token(char *v);

#endif
