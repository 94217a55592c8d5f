package io.parvirt.hmc;

import io.parvirt.system.ConsoleHost;
import java.util.List;

/**
 * {@code monhmc}: one sample in the layout of the HMC's (top's and df's lines), of the console's
 * own machine, which for parvirt is the daemon's host. Processor percentages are over a short
 * interval (200 ms), since /proc/stat counts from boot.
 */
final class ConsoleMonitor {
    private ConsoleMonitor() {
    }

    static String sample(String resource) {
        return switch (resource) {
            case "mem" -> {
                var m = ConsoleHost.memory();
                yield String.format("Mem: %10dk total, %10dk used, %10dk free, %10dk buffers%n", m.totalKb(),
                        m.totalKb() - m.freeKb(), m.freeKb(), m.buffersKb());
            }
            case "swap" -> {
                var m = ConsoleHost.memory();
                yield String.format("Swap: %9dk total, %10dk used, %10dk free, %10dk cached%n", m.swapTotalKb(),
                        m.swapTotalKb() - m.swapFreeKb(), m.swapFreeKb(), m.cachedKb());
            }
            case "proc" -> processors();
            default -> disks();
        };
    }

    private static String processors() {
        List<ConsoleHost.CpuTimes> before = ConsoleHost.cpus();
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<ConsoleHost.CpuTimes> after = ConsoleHost.cpus();
        StringBuilder out = new StringBuilder();
        String[] labels = {"us", "ni", "sy", "id", "wa", "hi", "si", "st"};
        int[] order = {0, 2, 1, 3, 4, 5, 6, 7}; // top's order: us, sy, ni, id, wa, hi, si, st
        for (int c = 0; c < Math.min(before.size(), after.size()); c++) {
            long[] d = new long[8];
            long total = 0;
            for (int i = 0; i < 8; i++) {
                d[i] = after.get(c).jiffies()[i] - before.get(c).jiffies()[i];
                total += d[i];
            }
            out.append(String.format("%-6s:", "Cpu" + after.get(c).name().substring(3)));
            for (int k = 0; k < order.length; k++) {
                int i = order[k];
                double pct = total == 0 ? (i == 3 ? 100.0 : 0.0) : 100.0 * d[i] / total;
                out.append(String.format("%s%5.1f%%%s", k == 0 ? " " : ", ", pct, labels[i]));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String disks() {
        StringBuilder out = new StringBuilder(String.format("%-20s %10s %10s %10s %4s %s%n", "Filesystem", "1K-blocks",
                "Used", "Available", "Use%", "Mounted on"));
        for (ConsoleHost.FileSystem f : ConsoleHost.fileSystems()) {
            long pct = f.totalKb() == 0 ? 0 : (f.usedKb() * 100 + f.totalKb() - 1) / f.totalKb();
            out.append(String.format("%-20s %10d %10d %10d %3d%% %s%n", f.device(), f.totalKb(), f.usedKb(), f.availKb(),
                    pct, f.mountPoint()));
        }
        return out.toString();
    }
}
