/* ramroot_fuzz.c: cairn.root= and cairn.layer= from any command line:
 * what is accepted is one well-formed verity:BLOCKS:ROOTHASH:SALT, and its
 * table has exactly the twelve words the kernel's verity target reads;
 * layers are at most RAMROOT_LAYERS_MAX, each name unique and made of
 * [a-z0-9-], so it is safe in a path and a device-mapper name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ramroot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int lower_hex(const char *s, size_t n)
{
	return strspn(s, "0123456789abcdef") == n;
}

/* A parsed value as ramroot_parse would give it, and a table of 12 words. */
static void check_root(const struct ramroot *r)
{
	char table[512], *w;
	int words = 0;

	if (r->blocks == 0 || r->blocks > (UINT64_MAX >> 13) || strlen(r->roothash) != 64 ||
	    !lower_hex(r->roothash, 64) || strlen(r->salt) == 0 || strlen(r->salt) % 2 != 0 ||
	    !lower_hex(r->salt, strlen(r->salt)))
		abort();
	if (ramroot_table(r, 7, 0, table, sizeof table) != 0)
		abort();
	for (w = strtok(table, " "); w != NULL; w = strtok(NULL, " "))
		words++;
	if (words != 12)	/* 10 positional, "1", the option */
		abort();
}

static void check_layers(const char *cmdline)
{
	struct ramlayer l[RAMROOT_LAYERS_MAX];
	size_t n;
	int i, j, nl = ramroot_layers(cmdline, l, RAMROOT_LAYERS_MAX);

	if (nl > RAMROOT_LAYERS_MAX)
		abort();
	for (i = 0; i < nl; i++) {
		n = strlen(l[i].name);
		if (n == 0 || n > RAMROOT_NAME_MAX || l[i].name[0] == '-' ||
		    strspn(l[i].name, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(l[i].name, l[j].name) == 0)
				abort();
		check_root(&l[i].v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cmdline, value[300];
	struct ramroot r;

	cmdline = malloc(size + 1);
	if (cmdline == NULL)
		return 0;
	memcpy(cmdline, data, size);
	cmdline[size] = '\0';
	if (ramroot_param(cmdline, value, sizeof value) == 0 && ramroot_parse(value, &r) == 0)
		check_root(&r);
	check_layers(cmdline);
	free(cmdline);
	return 0;
}
