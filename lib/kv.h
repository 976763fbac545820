/* kv.h: the `key = value` text format initd's service files and the node
 * config share: one pair a line, '#' comments, blank lines, and (where a
 * format allows them) `[section NAME]` headers and `key <<END` blocks. */
#ifndef CAIRN_KV_H
#define CAIRN_KV_H

#include <stddef.h>

#define KV_LINE_MAX 1024

enum { KV_END = 0, KV_PAIR = 1, KV_SECTION = 2, KV_BLOCK = 3 };

struct kv {
	const char *text;
	size_t len, at;
	int line;		/* the line just read, from 1 */
	char buf[KV_LINE_MAX];
	char *key, *value;	/* into buf; a section: its name and its argument ("" for none) */
};

void kv_init(struct kv *k, const char *text, size_t len);
int kv_next(struct kv *k, const char **why);
int kv_block(struct kv *k, const char *end, char *out, size_t size, size_t *n, const char **why);

#endif
