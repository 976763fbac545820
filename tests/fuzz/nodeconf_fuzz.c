/* nodeconf_fuzz.c: nodeconf_parse on any bytes.  A config it takes and
 * that holds no secret reads back the same from what nodeconf_show
 * prints; a refused one leaves nothing behind. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/nodeconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nodeconf a, b;
	char err[512], *text = NULL;
	size_t len = 0;
	FILE *f;

	if (nodeconf_parse(&a, "fuzz", (const char *)data, size, err, sizeof(err)) < 0) {
		if (a.nnet != 0 || a.hostname[0] != '\0' || err[0] == '\0')
			abort();
		return 0;
	}
	if (a.munge_key_len > 0 || a.kube_token[0] != '\0')
		return 0;
	f = open_memstream(&text, &len);
	if (f == NULL)
		return 0;
	if (nodeconf_show(&a, f) != 0)
		abort();
	fclose(f);
	if (nodeconf_parse(&b, "shown", text, len, err, sizeof(err)) < 0) {
		fprintf(stderr, "show's output refused: %s\n%s", err, text);
		abort();
	}
	if (memcmp(&a, &b, sizeof(a)) != 0) {
		fprintf(stderr, "show's output reads back differently:\n%s", text);
		abort();
	}
	free(text);
	return 0;
}
