/* kv.c: the lines of a `key = value` file, one at a time. */
#include <errno.h>
#include <string.h>

#include "kv.h"
#include "text.h"

void kv_init(struct kv *k, const char *text, size_t len)
{
	memset(k, 0, sizeof(*k));
	k->text = text;
	k->len = len;
}

/* raw_line: the next line into buf, without its newline; 0 at the end. */
static int raw_line(struct kv *k, const char **why)
{
	const char *nl;
	size_t n;

	if (k->at >= k->len)
		return 0;
	nl = memchr(k->text + k->at, '\n', k->len - k->at);
	n = (nl != NULL ? (size_t)(nl - k->text) : k->len) - k->at;
	k->line++;
	if (n >= sizeof(k->buf)) {
		*why = "line too long";
		return -E2BIG;
	}
	memcpy(k->buf, k->text + k->at, n);
	k->buf[n] = '\0';
	k->at += n + 1;
	if (memchr(k->buf, '\0', n) != NULL) {
		*why = "not text (NUL byte)";
		return -EINVAL;
	}
	return 1;
}

/*
 * kv_next: the next pair or section header, blank and '#' lines skipped.
 * KV_PAIR: key and value trimmed, the value not empty; KV_SECTION for
 * `[name]` or `[name arg]`; KV_BLOCK for `key <<END` (value: END; read
 * the block with kv_block); KV_END at the end; <0 with *why for a line
 * that is neither (k->line names it).
 */
int kv_next(struct kv *k, const char **why)
{
	char *s, *eq, *end;
	int rc;

	for (;;) {
		rc = raw_line(k, why);
		if (rc <= 0)
			return rc;
		s = text_trim(k->buf);
		if (*s != '\0' && *s != '#')
			break;
	}
	if (*s == '[') {
		end = strchr(s, ']');
		if (end == NULL || end[1] != '\0') {
			*why = "a section header is [name] or [name arg]";
			return -EINVAL;
		}
		*end = '\0';
		s = text_trim(s + 1);
		k->key = s;
		k->value = s + strcspn(s, " \t");
		if (*k->value != '\0') {
			*k->value = '\0';
			k->value = text_trim(k->value + 1);
		}
		if (*k->key == '\0') {
			*why = "a section header without a name";
			return -EINVAL;
		}
		return KV_SECTION;
	}
	eq = strchr(s, '=');
	end = strstr(s, "<<");
	if (end != NULL && (eq == NULL || end < eq)) {
		/* `key <<END`: the caller reads the block with kv_block. */
		*end = '\0';
		k->key = text_trim(s);
		k->value = text_trim(end + 2);
		if (*k->key == '\0' || *k->value == '\0' || strpbrk(k->value, " \t") != NULL) {
			*why = "a block is 'key <<END', END one word";
			return -EINVAL;
		}
		return KV_BLOCK;
	}
	if (eq == NULL) {
		*why = "not a 'key = value' line";
		return -EINVAL;
	}
	*eq = '\0';
	k->key = text_trim(s);
	k->value = text_trim(eq + 1);
	if (*k->key == '\0') {
		*why = "a value without a key";
		return -EINVAL;
	}
	if (*k->value == '\0') {
		*why = "no value";
		return -EINVAL;
	}
	return KV_PAIR;
}

/*
 * kv_block: the lines after a `key <<END` line up to one that is END
 * alone, as they are (newlines kept), into OUT (NUL-terminated, length in
 * *n).  -E2BIG when they do not fit, -EINVAL when END never comes.
 */
int kv_block(struct kv *k, const char *end, char *out, size_t size, size_t *n, const char **why)
{
	size_t len;
	int rc;

	*n = 0;
	for (;;) {
		rc = raw_line(k, why);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			*why = "the block has no end line";
			return -EINVAL;
		}
		if (strcmp(text_trim(k->buf), end) == 0)
			break;
		len = strlen(k->buf);
		if (*n + len + 2 > size) {
			*why = "the block is too long";
			return -E2BIG;
		}
		memcpy(out + *n, k->buf, len);
		*n += len;
		out[(*n)++] = '\n';
	}
	out[*n] = '\0';
	return 0;
}
