/* metrics_test: the Prometheus text the API serves: health, sizes, and
 * dcgm-exporter's Xid figure per NVIDIA GPU, labels escaped. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "health/metrics.h"

static char *render(const struct inventory *inv, const struct health *h, const struct xid *x, size_t nx)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	CHECK(f != NULL && metrics_write(f, inv, h, x, nx) == 0);
	fclose(f);
	return text;
}

static void test_gpu_node(void)
{
	static struct inventory inv;
	static struct health h;
	static const struct xid x[] = { { "0000:1b:00", 13 }, { "0000:9a:00", 48 }, { "0000:1b:00", 79 } };
	char *t;

	memset(&inv, 0, sizeof inv);
	memset(&h, 0, sizeof h);
	inv.mem_kb = 2048;
	inv.cpu.threads = 224;
	inv.ngpus = 3;
	inv.gpus[0].g = (struct gpu){ .vendor = GPU_VENDOR_NVIDIA, .pci = "0000:1b:00.0", .model = "NVIDIA H100",
				      .uuid = "GPU-1", .minor = 0 };
	inv.gpus[1].g = (struct gpu){ .vendor = GPU_VENDOR_NVIDIA, .pci = "0000:9a:00.0",
				      .model = "odd \"name\"\\x", .uuid = "GPU-2", .minor = 1 };
	inv.gpus[2].g = (struct gpu){ .vendor = GPU_VENDOR_NVIDIA, .pci = "0000:cb:00.0", .model = "NVIDIA H100",
				      .uuid = "GPU-3", .minor = 2 };
	h.n = 3;
	h.healthy = 0;
	h.checks[0] = (struct health_check){ "gpus", 1, "" };
	h.checks[1] = (struct health_check){ "xid", 0, "" };
	h.checks[2] = (struct health_check){ "time", -1, "" };
	t = render(&inv, &h, x, 3);
	CHECK(strstr(t, "# TYPE cairn_node_healthy gauge\ncairn_node_healthy 0\n") != NULL);
	CHECK(strstr(t, "cairn_health_check_ok{check=\"gpus\"} 1\ncairn_health_check_ok{check=\"xid\"} 0\n") != NULL);
	CHECK(strstr(t, "check=\"time\"") == NULL);	/* skipped: not a figure */
	CHECK(strstr(t, "cairn_node_memory_bytes 2097152\n") != NULL);
	CHECK(strstr(t, "cairn_node_cpu_threads 224\n") != NULL);
	CHECK(strstr(t, "cairn_node_gpus{vendor=\"nvidia\"} 3\ncairn_node_gpus{vendor=\"amd\"} 0\n") != NULL);
	CHECK(strstr(t, "# HELP DCGM_FI_DEV_XID_ERRORS Value of the last XID error encountered.\n") != NULL);
	CHECK(strstr(t, "DCGM_FI_DEV_XID_ERRORS{gpu=\"0\",UUID=\"GPU-1\",pci_bus_id=\"00000000:1B:00.0\","
			"device=\"nvidia0\",modelName=\"NVIDIA H100\"} 79\n") != NULL);
	CHECK(strstr(t, "DCGM_FI_DEV_XID_ERRORS{gpu=\"1\",UUID=\"GPU-2\",pci_bus_id=\"00000000:9A:00.0\","
			"device=\"nvidia1\",modelName=\"odd \\\"name\\\"\\\\x\"} 48\n") != NULL);
	CHECK(strstr(t, "device=\"nvidia2\",modelName=\"NVIDIA H100\"} 0\n") != NULL);
	free(t);
}

static void test_no_gpu(void)
{
	static struct inventory inv;
	static struct health h;
	char *t;

	memset(&inv, 0, sizeof inv);
	memset(&h, 0, sizeof h);
	h.healthy = 1;
	t = render(&inv, &h, NULL, 0);
	CHECK(strstr(t, "cairn_node_healthy 1\n") != NULL);
	CHECK(strstr(t, "DCGM_") == NULL);
	free(t);
}

int main(void)
{
	RUN(test_gpu_node);
	RUN(test_no_gpu);
	return CHECK_DONE();
}
