/* cmd_list.c: `pkg list`: the installed packages, or (--world) what was asked for by name. */
#include <stdio.h>

#include "cmd.h"

int cmd_list(struct pkg_opts *o, int argc, char **argv)
{
	struct txn t;
	size_t i;

	if (cmd_operands(o, argc, argv) != 0)
		cmd_wrong_args(argv[0]);
	cmd_open_txn(o, &t, 1);
	if (o->json)
		putchar('[');
	if (o->world) {
		for (i = 0; i < t.db.nworld; i++) {
			if (o->json) {
				printf("%s", i ? "," : "");
				cmd_json_str(t.db.world[i]);
			} else {
				printf("%s\n", t.db.world[i]);
			}
		}
	} else {
		for (i = 0; i < t.db.n; i++) {
			const struct pkg_meta *m = &t.db.pkgs[i].m;

			if (o->json) {
				printf("%s{", i ? "," : "");
				cmd_json_ident(m);
				putchar('}');
			} else {
				printf("%-24s %-20s %-8s %s\n", m->name, m->version, m->arch, m->license);
			}
		}
	}
	if (o->json)
		printf("]\n");
	txn_close(&t);
	return 0;
}
