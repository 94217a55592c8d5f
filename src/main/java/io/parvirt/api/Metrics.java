package io.parvirt.api;

import io.parvirt.hmc.Hmc;
import io.parvirt.system.Capacity;
import io.parvirt.system.MemoryReport;

/** Prometheus text exposition of what parvirt knows beyond the HMC's attributes. */
final class Metrics {
    private Metrics() {
    }

    static String render(Hmc hmc) {
        Capacity c = hmc.system().capacity();
        MemoryReport m = hmc.memoryReport();
        StringBuilder b = new StringBuilder();
        gauge(b, "parvirt_partitions_defined", "Partitions defined on the managed system",
                hmc.system().definition().partitions().size());
        gauge(b, "parvirt_sys_proc_units_configurable", "Processing units the host leaves to partitions",
                c.configurableProcUnits().hundredths() / 100.0);
        gauge(b, "parvirt_sys_proc_units_available", "Processing units not taken by active partitions",
                c.availProcUnits().hundredths() / 100.0);
        gauge(b, "parvirt_sys_mem_configurable_mb", "Memory the host leaves to partitions", c.configurableMemMb());
        gauge(b, "parvirt_sys_mem_available_mb", "Memory not taken by the hypervisor or active partitions",
                c.availMemMb());
        gauge(b, "parvirt_sys_firmware_mem_mb", "Hypervisor memory (base plus page tables, LMB-rounded)",
                m.totalMb());
        b.append("# HELP parvirt_partition_page_table_mb Hypervisor page table of each defined partition\n")
                .append("# TYPE parvirt_partition_page_table_mb gauge\n");
        for (MemoryReport.PartitionShare s : m.partitions()) {
            b.append("parvirt_partition_page_table_mb{lpar_id=\"").append(s.lparId()).append("\",lpar_name=\"")
                    .append(s.name().replace("\\", "\\\\").replace("\"", "\\\"")).append("\"} ")
                    .append(s.pageTableMb()).append('\n');
        }
        return b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, double v) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(v).append('\n');
    }
}
