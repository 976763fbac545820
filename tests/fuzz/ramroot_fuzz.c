/* ramroot_fuzz.c: cairn.root= from any command line: what is accepted is
 * one well-formed verity:BLOCKS:ROOTHASH:SALT, and its table has exactly
 * the twelve words the kernel's verity target reads. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ramroot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int lower_hex(const char *s, size_t n)
{
	return strspn(s, "0123456789abcdef") == n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cmdline, value[300], table[512], *w;
	struct ramroot r;
	int words = 0;

	cmdline = malloc(size + 1);
	if (cmdline == NULL)
		return 0;
	memcpy(cmdline, data, size);
	cmdline[size] = '\0';
	if (ramroot_param(cmdline, value, sizeof value) == 0 && ramroot_parse(value, &r) == 0) {
		if (r.blocks == 0 || r.blocks > (UINT64_MAX >> 13) || strlen(r.roothash) != 64 ||
		    !lower_hex(r.roothash, 64) || strlen(r.salt) == 0 || strlen(r.salt) % 2 != 0 ||
		    !lower_hex(r.salt, strlen(r.salt)))
			abort();
		if (ramroot_table(&r, 7, 0, table, sizeof table) != 0)
			abort();
		for (w = strtok(table, " "); w != NULL; w = strtok(NULL, " "))
			words++;
		if (words != 12)	/* 10 positional, "1", the option */
			abort();
	}
	free(cmdline);
	return 0;
}
