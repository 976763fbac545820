/* cmd_remove.c: `pkg remove NAME...`, refused while a package that stays needs one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int cmd_remove(struct pkg_opts *o, int argc, char **argv)
{
	char **names = argv + 1;
	struct txn t;
	struct perr e = { "" };
	size_t i, j, nw;
	int k, d, n = cmd_operands(o, argc, argv);

	if (n < 1)
		cmd_wrong_args(argv[0]);
	cmd_open_txn(o, &t, 0);
	for (k = 0; k < n; k++)
		if (db_find(&t.db, names[k]) == NULL)
			cmd_die(1, "%s: not installed", names[k]);
	t.remove = calloc((size_t)n + 1, sizeof *t.remove);
	if (t.remove == NULL)
		cmd_die(111, "%s", strerror(ENOMEM));
	for (k = 0; k < n; k++)
		t.remove[k] = names[k];
	t.nremove = (size_t)n;
	/* Nothing that stays may need what goes. */
	for (i = 0; i < t.db.n; i++) {
		const struct pkg_meta *m = &t.db.pkgs[i].m;
		int going = 0;

		for (k = 0; k < n; k++)
			going |= strcmp(m->name, names[k]) == 0;
		for (d = 0; !going && d < m->ndepends; d++)
			for (k = 0; k < n; k++) {
				const struct db_pkg *g = db_find(&t.db, names[k]);
				int prov = 0;

				for (j = 0; j < (size_t)g->m.nprovides; j++)
					prov |= strcmp(g->m.provides[j].name, m->depends[d].name) == 0;
				if (strcmp(g->name, m->depends[d].name) == 0 || prov)
					cmd_die(1, "%s: %s %s needs it; remove that too, or keep it", names[k], m->name,
						m->version);
			}
	}
	t.world = cmd_world_edit(&t.db, names, (size_t)n, 0, &nw);
	t.nworld = nw;
	if (txn_apply(&t, &e) < 0)
		cmd_fail(&e);
	fprintf(stderr, "pkg: remove: %d package%s\n", n, n == 1 ? "" : "s");
	free(t.world);
	free(t.remove);
	txn_close(&t);
	return 0;
}
