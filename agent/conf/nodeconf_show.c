/* nodeconf_show.c: the node config back out, from the table of its keys
 * (nodeconf_keys.c): `config show` (a config as it was understood) and
 * `config keys` (every key, the list in doc/node-config.md). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conf/nodeconf_keys.h"

#define DOC_WIDTH 72	/* the doc's lines, as its hand-written ones */

static const char *field(const void *base, const struct nc_key *k)
{
	return (const char *)base + k->off;
}

static int count(const void *base, const struct nc_key *k)
{
	return *(const int *)((const char *)base + k->count_off);
}

/* An NC_ENUM's word; a value out of range reads as the first. */
static const char *enum_word(const struct nc_key *k, int i)
{
	int n;

	if (k->words == NULL)
		return "";	/* a row without its words: a bug in the table */
	for (n = 0; k->words[n] != NULL; n++)
		;
	return i >= 0 && i < n ? k->words[i] : k->words[0];
}

/* Set: not its default, so worth showing. */
static int key_set(const struct nc_key *k, const void *base)
{
	const char *f = field(base, k);

	switch (k->type) {
	case NC_TEXT:
	case NC_WORD:
	case NC_PEM:
		return f[0] != '\0';
	case NC_UINT:
		return *(const unsigned *)f != (unsigned)k->def;
	case NC_BOOL:
	case NC_ENUM:
		return *(const int *)f != (int)k->def;
	case NC_LIST:
		return count(base, k) > 0;
	case NC_CUSTOM:
		return k->custom->set(base);
	}
	return 0;
}

static void key_show(FILE *out, const struct nc_key *k, const void *base)
{
	const char *f = field(base, k);
	int i, yes;

	switch (k->type) {
	case NC_TEXT:
		if (k->flags & NC_SECRET)
			fprintf(out, "# %s: set, not shown\n", k->name);
		else
			fprintf(out, "%s = %s\n", k->name, f);
		break;
	case NC_WORD:
		fprintf(out, "%s = %s\n", k->name, f);
		break;
	case NC_PEM:
		fprintf(out, "%s <<END\n%sEND\n", k->name, f);
		break;
	case NC_UINT:
		fprintf(out, "%s = %u\n", k->name, *(const unsigned *)f);
		break;
	case NC_BOOL:
		yes = *(const int *)f != 0;
		fprintf(out, "%s = %s\n", k->name, (k->flags & NC_INVERT ? !yes : yes) ? "yes" : "no");
		break;
	case NC_ENUM:
		fprintf(out, "%s = %s\n", k->name, enum_word(k, *(const int *)f));
		break;
	case NC_LIST:
		if (k->flags & NC_SPLIT) {
			fprintf(out, "%s =", k->name);
			for (i = 0; i < count(base, k); i++)
				fprintf(out, " %s", f + (size_t)i * k->size);
			fprintf(out, "\n");
			break;
		}
		for (i = 0; i < count(base, k); i++)
			fprintf(out, "%s = %s\n", k->name, f + (size_t)i * k->size);
		break;
	case NC_CUSTOM:
		k->custom->show(out, k, base);
		break;
	}
}

/* A section's keys, those set and those always shown. */
static void keys_show(FILE *out, enum nc_section s, const void *base)
{
	const struct nc_key *k;

	for (k = nc_keys; k < nc_keys + nc_nkeys; k++)
		if (k->section == s && ((k->flags & NC_ALWAYS) || key_set(k, base)))
			key_show(out, k, base);
}

/* A section is shown when it always is, when it was given (one that says
 * so: [api]), or when any key of it is set. */
static int section_shown(const struct nodeconf *c, enum nc_section s)
{
	const struct nc_key *k;

	if (nc_sections[s].always)
		return 1;
	if (nc_sections[s].present != 0)
		return *(const int *)((const char *)c + nc_sections[s].present) != 0;
	for (k = nc_keys; k < nc_keys + nc_nkeys; k++)
		if (k->section == s && key_set(k, c))
			return 1;
	return 0;
}

/* nodeconf_show: the config as it was understood, in its own format,
 * secrets replaced by a comment saying they are set. */
int nodeconf_show(const struct nodeconf *c, FILE *out)
{
	enum nc_section s;
	int i, first = 1;

	for (s = NC_S_NODE; s < NC_S_COUNT; s++) {
		if (s == NC_S_NET) {
			for (i = 0; i < c->nnet; i++, first = 0) {
				fprintf(out, "%s[net %s]\n", first ? "" : "\n", c->net[i].name);
				keys_show(out, s, &c->net[i]);
			}
			continue;
		}
		if (!section_shown(c, s))
			continue;
		fprintf(out, "%s[%s]\n", first ? "" : "\n", nc_sections[s].name);
		keys_show(out, s, c);
		first = 0;
	}
	return ferror(out) ? -EIO : 0;
}

/* paragraph: TEXT in lines of DOC_WIDTH at most, the first after LEAD, the
 * rest after INDENT; a line break drops the spaces it falls on. */
static void paragraph(FILE *out, const char *lead, const char *indent, const char *s)
{
	size_t col = strlen(lead), gap, w;
	int start = 1;

	fputs(lead, out);
	for (; *s != '\0'; s += gap + w) {
		gap = strspn(s, " ");
		w = strcspn(s + gap, " ");
		if (w == 0)
			break;
		if (!start && col + gap + w > DOC_WIDTH) {
			fprintf(out, "\n%s", indent);
			col = strlen(indent);
			start = 1;
		}
		if (!start)
			fprintf(out, "%.*s", (int)gap, s);
		fprintf(out, "%.*s", (int)w, s + gap);
		col += (start ? 0 : gap) + w;
		start = 0;
	}
	fputc('\n', out);
}

static __attribute__((format(printf, 3, 4))) void note(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n > 0 && n + 2 < size)
		memcpy(buf + n, ", ", 3), n += 2;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* One key as the doc lists it: `key = VALUE` (its bounds and default),
 * then its line. */
static void key_doc(FILE *out, const struct nc_key *k)
{
	char value[256] = "", notes[128] = "";
	size_t i, n = 0;

	if (k->words != NULL)
		for (i = 0; k->words[i] != NULL && n < sizeof(value); i++)
			n += (size_t)snprintf(value + n, sizeof(value) - n, "%s%s", i ? " | " : "", k->words[i]);
	else
		snprintf(value, sizeof(value), "%s", k->type == NC_BOOL ? "yes | no" : k->value);
	if (k->type == NC_LIST)
		note(notes, sizeof(notes), "%sup to %lld", k->flags & NC_SPLIT ? "" : "repeatable, ", k->max);
	if (k->type == NC_UINT)
		note(notes, sizeof(notes), "%lld to %lld", k->min, k->max);
	if (k->type == NC_UINT && k->def != 0)
		note(notes, sizeof(notes), "default %lld", k->def);
	if (k->type == NC_BOOL && k->def >= 0)
		note(notes, sizeof(notes), "default `%s`", (k->def != 0) != !!(k->flags & NC_INVERT) ? "yes" : "no");
	if (k->type == NC_ENUM)
		note(notes, sizeof(notes), "default `%s`", enum_word(k, (int)k->def));
	if (k->flags & NC_SECRET)
		note(notes, sizeof(notes), "a **secret**");
	if (k->type == NC_PEM)
		fprintf(out, "`%s <<END ... END`", k->name);
	else
		fprintf(out, "`%s = %s`", k->name, value);
	fprintf(out, notes[0] ? " (%s)\n" : "%s\n", notes);
	paragraph(out, ": ", "  ", k->doc);
}

/* nodeconf_keys_print: every section and key, in doc/node-config.md's
 * markdown (its key list is this, word for word: `config keys`). */
int nodeconf_keys_print(FILE *out)
{
	const struct nc_key *k;
	enum nc_section s;
	int n;

	for (s = NC_S_NODE; s < NC_S_COUNT; s++) {
		fprintf(out, "%s### [%s]\n", s == NC_S_NODE ? "" : "\n",
			nc_sections[s].title != NULL ? nc_sections[s].title : nc_sections[s].name);
		if (nc_sections[s].doc != NULL) {
			paragraph(out, "", "", nc_sections[s].doc);
			fprintf(out, "\n");
		}
		for (k = nc_keys, n = 0; k < nc_keys + nc_nkeys; k++)
			if (k->section == s) {
				fprintf(out, "%s", n++ > 0 ? "\n" : "");
				key_doc(out, k);
			}
	}
	return ferror(out) ? -EIO : 0;
}
