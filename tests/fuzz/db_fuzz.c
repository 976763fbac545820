/* db_fuzz.c: the installed-database parser on any bytes; an accepted db
 * has its packages sorted and once each, and valid names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct db db;
	char err[256], *text = malloc(size + 1);
	size_t i;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (db_parse(text, size, &db, err, sizeof err) == 0)
		for (i = 0; i < db.n; i++)
			if (!pkg_name_ok(db.pkgs[i].name) || !pkg_version_ok(db.pkgs[i].version) ||
			    (i > 0 && strcmp(db.pkgs[i - 1].name, db.pkgs[i].name) >= 0))
				abort();
	free(db.pkgs);
	free(db.world);
	free(text);
	return 0;
}
