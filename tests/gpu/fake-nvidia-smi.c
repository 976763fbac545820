/* fake-nvidia-smi.c: a stand-in for nvidia-smi on a host without a GPU
 * (tests/build/gpu_run_fake.sh): one GPU per /dev/nvidiaN it can see, so a
 * container shows exactly the GPUs its CDI edits gave it. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const buses[] = { "1A", "3B" };	/* as the driver's /proc names them */
static const char *const uuids[] = {
	"GPU-aaaaaaaa-1111-2222-3333-444455556666",
	"GPU-2c4f0a1b-1111-2222-3333-444455556666",
};

int main(int argc, char **argv)
{
	const char *a = argc > 1 ? argv[1] : "";
	char p[32];
	int i, n = 0;

	if (access("/dev/nvidiactl", F_OK) != 0) {
		fprintf(stderr, "NVIDIA-SMI has failed: no /dev/nvidiactl\n");
		return 9;
	}
	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "/dev/nvidia%d", i);
		if (access(p, F_OK) != 0)
			continue;
		/* The agent's queries (gpu/nvsmi.c): the figures of an idle H200. */
		if (strncmp(a, "--query-gpu=index,uuid,pci.bus_id,", 34) == 0) {
			printf("%d, %s, 00000000:%s:00.0, %d, 74.35, 0, 143771, 0, 0\n", n, uuids[i], buses[i], 30 + i);
			n++;
			continue;
		}
		if (strncmp(a, "--query-remapped-rows=gpu_uuid,", 31) == 0) {
			printf("%s, 0, 0, No, No\n", uuids[i]);
			continue;
		}
		if (strcmp(a, "--query-gpu=driver_version") == 0) {
			printf("550.127.05\n");
			return 0;
		}
		if (strcmp(a, "-L") == 0)
			printf("GPU %d: NVIDIA H200 (UUID: %s)\n", n, uuids[i]);
		else if (strcmp(a, "--query-gpu=name") == 0)
			printf("NVIDIA H200\n");
		else
			printf("%d, NVIDIA H200, %s\n", n, uuids[i]);
		n++;
	}
	return 0;
}
