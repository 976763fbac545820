/*
 * metrics.c: Prometheus text exposition (format 0.0.4) of what the agent
 * knows: the health checks, the inventory's sizes, and per GPU the last
 * Xid error, named and labelled as dcgm-exporter does
 * (DCGM_FI_DEV_XID_ERRORS{gpu,UUID,pci_bus_id,device,modelName}).  Only
 * figures the node has are written: a GPU figure the driver alone can give
 * (temperature, power, memory, utilisation: NVML) is not made up here.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "health/metrics.h"
#include "nvsmi.h"

/* A label value, escaped as the format wants: \\, \", \n. */
static void label(FILE *out, const char *name, const char *v, int first)
{
	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(out, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
	fputc('"', out);
}

static void head(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* The last Xid of the GPU at pci ("0000:3b:00.0"); the driver names its
 * bus without the function ("0000:3b:00"). */
static unsigned last_xid(const char *pci, const struct xid *xids, size_t n)
{
	unsigned code = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (strncasecmp(pci, xids[i].pci, strlen(xids[i].pci)) == 0)
			code = xids[i].code;
	return code;
}

/* The live figures of the GPU with this bus id, or NULL. */
static const struct gpu_live *live_of(const struct health *h, const char *id)
{
	int i;

	for (i = 0; i < h->nlive; i++)
		if (strcasecmp(h->live[i].bus_id, id) == 0)
			return &h->live[i];
	return NULL;
}

/* dcgm-exporter's figures that nvidia-smi gives, with its names and units. */
static const struct {
	const char *name, *help;
	size_t off;
} dcgm[] = {
	{ "DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).", offsetof(struct gpu_live, temp_c) },
	{ "DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", offsetof(struct gpu_live, power_w) },
	{ "DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB).", offsetof(struct gpu_live, mem_used_mib) },
	{ "DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", offsetof(struct gpu_live, util_pct) },
	{ "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "Total number of double-bit volatile ECC errors.",
	  offsetof(struct gpu_live, ecc_uncorrected) },
	{ "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", "Number of remapped rows for correctable errors",
	  offsetof(struct gpu_live, remap_correctable) },
	{ "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "Number of remapped rows for uncorrectable errors",
	  offsetof(struct gpu_live, remap_uncorrectable) },
	{ "DCGM_FI_DEV_ROW_REMAP_FAILURE", "Whether remapping of rows has failed",
	  offsetof(struct gpu_live, remap_failure) },
};

static void gpu_labels(FILE *out, const struct gpu *g, const char *id)
{
	char dev[24];

	snprintf(dev, sizeof dev, "nvidia%d", g->minor);
	fprintf(out, "{gpu=\"%d\"", g->minor);
	label(out, "UUID", g->uuid, 0);
	label(out, "pci_bus_id", id, 0);
	label(out, "device", dev, 0);
	label(out, "modelName", g->model, 0);
	fputc('}', out);
}

int metrics_write(FILE *out, const struct inventory *inv, const struct health *h, const struct xid *xids,
		  size_t nxids)
{
	char id[48];
	size_t k;
	int i, nvidia = 0, amd = 0;

	head(out, "cairn_node_healthy", "1 when every local health check passes, else 0.");
	fprintf(out, "cairn_node_healthy %d\n", h->healthy ? 1 : 0);
	head(out, "cairn_health_check_ok", "A local health check: 1 passed, 0 failed; skipped ones are not listed.");
	for (i = 0; i < h->n; i++)
		if (h->checks[i].ok >= 0) {
			fputs("cairn_health_check_ok{", out);
			label(out, "check", h->checks[i].name, 1);
			fprintf(out, "} %d\n", h->checks[i].ok);
		}
	head(out, "cairn_node_memory_bytes", "Memory the kernel manages (MemTotal).");
	fprintf(out, "cairn_node_memory_bytes %llu\n", inv->mem_kb * 1024);
	head(out, "cairn_node_cpu_threads", "Logical CPUs.");
	fprintf(out, "cairn_node_cpu_threads %u\n", inv->cpu.threads);
	for (i = 0; i < inv->ngpus; i++) {
		nvidia += inv->gpus[i].g.vendor == GPU_VENDOR_NVIDIA;
		amd += inv->gpus[i].g.vendor == GPU_VENDOR_AMD;
	}
	head(out, "cairn_node_gpus", "GPUs on the PCI bus, by vendor.");
	fprintf(out, "cairn_node_gpus{vendor=\"nvidia\"} %d\ncairn_node_gpus{vendor=\"amd\"} %d\n", nvidia, amd);
	if (nvidia == 0)
		return ferror(out) ? -1 : 0;
	head(out, "DCGM_FI_DEV_XID_ERRORS", "Value of the last XID error encountered.");
	for (i = 0; i < inv->ngpus; i++) {
		const struct gpu *g = &inv->gpus[i].g;

		if (g->vendor != GPU_VENDOR_NVIDIA || g->minor < 0)
			continue;
		nvsmi_bus_id(g->pci, id, sizeof id);
		fputs("DCGM_FI_DEV_XID_ERRORS", out);
		gpu_labels(out, g, id);
		fprintf(out, " %u\n", last_xid(g->pci, xids, nxids));
	}
	/* A figure nvidia-smi did not give is left out, not written as 0. */
	for (k = 0; k < sizeof dcgm / sizeof dcgm[0]; k++) {
		int said = 0;

		for (i = 0; i < inv->ngpus; i++) {
			const struct gpu *g = &inv->gpus[i].g;
			const struct gpu_live *l;
			double v;

			if (g->vendor != GPU_VENDOR_NVIDIA || g->minor < 0)
				continue;
			nvsmi_bus_id(g->pci, id, sizeof id);
			l = live_of(h, id);
			if (l == NULL)
				continue;
			v = *(const double *)(const void *)((const char *)l + dcgm[k].off);
			if (isnan(v))
				continue;
			if (!said++)
				head(out, dcgm[k].name, dcgm[k].help);
			fputs(dcgm[k].name, out);
			gpu_labels(out, g, id);
			fprintf(out, " %.15g\n", v);
		}
	}
	return ferror(out) ? -1 : 0;
}
