/* cdi_write.c: a spec as JSON text, written atomically. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cdi.h"
#include "fileio.h"

/* cdi_dump: the spec as indented JSON ending in a newline (free it). */
char *cdi_dump(const json_t *spec)
{
	char *s = json_dumps(spec, JSON_INDENT(2)), *t;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	t = realloc(s, n + 2);
	if (t == NULL) {
		free(s);
		return NULL;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	return t;
}

int cdi_write(const char *path, const json_t *spec)
{
	char *s = cdi_dump(spec);
	int rc;

	if (s == NULL)
		return -ENOMEM;
	rc = file_write_atomic(path, s, strlen(s), 0644);
	free(s);
	return rc;
}
