/* cmd_owner.c: `pkg owner PATH`: the installed package that holds PATH. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_owner(struct pkg_opts *o, int argc, char **argv)
{
	const char *path;
	struct txn t;
	size_t i, j;

	if (cmd_operands(o, argc, argv) != 1)
		cmd_wrong_args(argv[0]);
	for (path = argv[1]; *path == '/'; path++)
		;
	cmd_open_txn(o, &t, 1);
	for (i = 0; i < t.db.n; i++)
		for (j = 0; j < t.db.pkgs[i].m.nfiles; j++)
			if (strcmp(t.db.pkgs[i].m.files[j].path, path) == 0) {
				if (o->json) {
					printf("{\"path\":");
					cmd_json_str(path);
					printf(",\"package\":");
					cmd_json_str(t.db.pkgs[i].name);
					printf("}\n");
				} else {
					printf("/%s %s %s\n", path, t.db.pkgs[i].name, t.db.pkgs[i].version);
				}
				txn_close(&t);
				return 0;
			}
	txn_close(&t);
	cmd_die(1, "/%s: no installed package owns it", path);
}
