package io.parvirt.api;

import io.parvirt.model.DispatchReport;
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
        dispatch(b, hmc.dispatchReport());
        ports(b, hmc);
        return b.toString();
    }

    /** The web console's partition feed: its browsers and the listings it read for them. */
    static String feed(PartitionFeed feed) {
        StringBuilder b = new StringBuilder();
        gauge(b, "parvirt_web_feed_clients", "Browsers following the partitions feed", feed.clients());
        header(b, "parvirt_web_feed_samples_total", "Listings the partitions feed read, one per burst of changes "
                + "(and one more once it settles)", "counter");
        b.append("parvirt_web_feed_samples_total ").append(feed.samples()).append('\n');
        header(b, "parvirt_web_feed_snapshot_listings_total", "Listings read for a browser's first table because "
                + "the one kept was stale (a change since)", "counter");
        b.append("parvirt_web_feed_snapshot_listings_total ").append(feed.snapshotListings()).append('\n');
        return b.toString();
    }

    /** The virtual switches' per-port counters (the adapter's point of view is the switch's). */
    private static void ports(StringBuilder b, Hmc hmc) {
        var ports = hmc.ethernetPorts();
        header(b, "parvirt_vswitch_port_frames_total", "Frames a virtual switch port received from its adapter (rx) "
                + "or delivered to it (tx)", "counter");
        for (var p : ports) {
            String l = port(p.vswitch(), p.lpar(), p.slot());
            b.append("parvirt_vswitch_port_frames_total").append(l).append(",direction=\"rx\"} ").append(p.rxFrames())
                    .append('\n');
            b.append("parvirt_vswitch_port_frames_total").append(l).append(",direction=\"tx\"} ").append(p.txFrames())
                    .append('\n');
        }
        header(b, "parvirt_vswitch_port_bytes_total", "Bytes a virtual switch port received (rx) or delivered (tx)",
                "counter");
        for (var p : ports) {
            String l = port(p.vswitch(), p.lpar(), p.slot());
            b.append("parvirt_vswitch_port_bytes_total").append(l).append(",direction=\"rx\"} ").append(p.rxBytes())
                    .append('\n');
            b.append("parvirt_vswitch_port_bytes_total").append(l).append(",direction=\"tx\"} ").append(p.txBytes())
                    .append('\n');
        }
        header(b, "parvirt_vswitch_port_segments_total", "Frames a virtual switch port received with a "
                + "segmentation offload (TCP segments larger than the MTU that crossed the switch whole)", "counter");
        for (var p : ports) {
            b.append("parvirt_vswitch_port_segments_total").append(port(p.vswitch(), p.lpar(), p.slot())).append("} ")
                    .append(p.rxSegments()).append('\n');
        }
        header(b, "parvirt_vswitch_port_drops_total", "Frames a virtual switch dropped, by port and reason", "counter");
        for (var p : ports) {
            String l = port(p.vswitch(), p.lpar(), p.slot());
            for (var d : p.drops().entrySet()) {
                b.append("parvirt_vswitch_port_drops_total").append(l).append(",reason=\"").append(d.getKey())
                        .append("\"} ").append(d.getValue()).append('\n');
            }
        }
        gauge(b, "parvirt_vswitch_ports_connected", "Virtual switch ports whose QEMU end is connected",
                ports.stream().filter(p -> p.connected()).count());
        header(b, "parvirt_vswitch_trunk_active", "1 for a trunk adapter that is its VLANs' active trunk (bridging "
                + "to its host interface), 0 for a standby", "gauge");
        for (var p : ports) {
            if (p.config().trunk()) {
                b.append("parvirt_vswitch_trunk_active").append(port(p.vswitch(), p.lpar(), p.slot()))
                        .append(",interface=\"").append(p.hostInterface() == null ? "" : p.hostInterface())
                        .append("\"} ").append(p.activeTrunk() ? 1 : 0).append('\n');
            }
        }
    }

    /** Labels of a port, without the closing brace (more labels follow). */
    private static String port(String vswitch, String lpar, int slot) {
        return "{vswitch=\"" + esc(vswitch) + "\",lpar_name=\"" + esc(lpar) + "\",slot=\"" + slot + "\"";
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static void dispatch(StringBuilder b, DispatchReport d) {
        gauge(b, "parvirt_dispatch_enforced", "1 when dispatching decisions reach the host's cgroups, 0 when not "
                + "(see /api/v1/dispatch for why)", d.enforced() ? 1 : 0);
        counter(b, "parvirt_dispatch_intervals_total", "Dispatching intervals run", d.intervals());
        counter(b, "parvirt_dispatch_watched_intervals_total", "Intervals run early because a partition started or "
                + "stopped working", d.watchedIntervals());
        counter(b, "parvirt_dispatch_cpu_seconds_total", "CPU time the dispatcher itself used",
                d.controllerCpuSeconds());
        String[][] gauges = {
            {"parvirt_lpar_cpu_used_cores", "Cores the partition's vCPU threads used over the last interval"},
            {"parvirt_lpar_cpu_granted_cores", "Cores the allocator granted the partition for the next interval"},
            {"parvirt_lpar_cpu_quota_cores", "CPU bandwidth the partition's vCPU threads are held to (0: none)"},
        };
        for (int g = 0; g < gauges.length; g++) {
            header(b, gauges[g][0], gauges[g][1], "gauge");
            for (DispatchReport.Partition p : d.partitions()) {
                double v = g == 0 ? p.usedCores() : g == 1 ? p.grantedCores() : p.quotaCores();
                b.append(gauges[g][0]).append(lpar(p)).append(' ').append(v).append('\n');
            }
        }
        header(b, "parvirt_lpar_cpu_seconds_total", "Core time of the partition's vCPU threads by kind (lslparutil's "
                + "cycles in seconds): entitled is what it was guaranteed, capped and uncapped what it used within "
                + "and beyond that, idle what a dedicated partition left unused", "counter");
        for (DispatchReport.Partition p : d.partitions()) {
            String l = lpar(p);
            String base = l.substring(0, l.length() - 1);
            b.append("parvirt_lpar_cpu_seconds_total").append(base).append(",kind=\"entitled\"} ")
                    .append(p.entitledSeconds()).append('\n');
            b.append("parvirt_lpar_cpu_seconds_total").append(base).append(",kind=\"capped\"} ")
                    .append(p.cappedSeconds()).append('\n');
            b.append("parvirt_lpar_cpu_seconds_total").append(base).append(",kind=\"uncapped\"} ")
                    .append(p.uncappedSeconds()).append('\n');
            b.append("parvirt_lpar_cpu_seconds_total").append(base).append(",kind=\"idle\"} ")
                    .append(p.idleSeconds()).append('\n');
        }
        header(b, "parvirt_pool_used_cores", "Cores a shared processor pool's partitions used over the last interval "
                + "(pool_id -1: the physical shared pool)", "gauge");
        for (DispatchReport.Pool p : d.pools()) {
            b.append("parvirt_pool_used_cores{pool_id=\"").append(p.poolId()).append("\"} ").append(p.usedCores())
                    .append('\n');
        }
        header(b, "parvirt_pool_size_cores", "Cores a shared processor pool may use: its maximum, or the physical "
                + "shared pool's size", "gauge");
        for (DispatchReport.Pool p : d.pools()) {
            b.append("parvirt_pool_size_cores{pool_id=\"").append(p.poolId()).append("\"} ").append(p.sizeCores())
                    .append('\n');
        }
    }

    private static String lpar(DispatchReport.Partition p) {
        return "{lpar_id=\"" + p.lparId() + "\",lpar_name=\"" + p.name().replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"}";
    }

    private static void header(StringBuilder b, String name, String help, String type) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void counter(StringBuilder b, String name, String help, double v) {
        header(b, name, help, "counter");
        b.append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder b, String name, String help, double v) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(v).append('\n');
    }
}
