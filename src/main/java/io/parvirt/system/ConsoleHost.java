package io.parvirt.system;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The console's own machine as {@code monhmc} shows it: parvirt's console is the daemon's host, so
 * its memory, swap, processors and file systems are the host's (read from /proc and the file
 * stores; nothing of a partition's).
 */
public final class ConsoleHost {
    /** A /proc/meminfo figure in kB (0 when absent). */
    public record Memory(long totalKb, long freeKb, long buffersKb, long cachedKb, long swapTotalKb, long swapFreeKb) {
    }

    /** One processor's jiffies by state, as /proc/stat counts them: user, nice, system, idle, iowait, irq, softirq, steal. */
    public record CpuTimes(String name, long[] jiffies) {
    }

    /** A mounted file system: device, mount point, sizes in 1K blocks. */
    public record FileSystem(String device, String mountPoint, long totalKb, long usedKb, long availKb) {
    }

    private ConsoleHost() {
    }

    public static Memory memory() {
        Map<String, Long> m = new HashMap<>();
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                String[] f = l.split("[:\\s]+");
                if (f.length >= 2) {
                    m.put(f[0], Long.parseLong(f[1]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // a host without /proc: every figure 0
        }
        return new Memory(m.getOrDefault("MemTotal", 0L), m.getOrDefault("MemFree", 0L), m.getOrDefault("Buffers", 0L),
                m.getOrDefault("Cached", 0L), m.getOrDefault("SwapTotal", 0L), m.getOrDefault("SwapFree", 0L));
    }

    /** Every processor's counters (cpu0, cpu1, ...), not the total line. */
    public static List<CpuTimes> cpus() {
        List<CpuTimes> out = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(Path.of("/proc/stat"))) {
                if (l.matches("cpu[0-9]+ .*")) {
                    String[] f = l.split("\\s+");
                    long[] j = new long[8];
                    for (int i = 0; i < 8 && i + 1 < f.length; i++) {
                        j[i] = Long.parseLong(f[i + 1]);
                    }
                    out.add(new CpuTimes(f[0], j));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no /proc/stat: no processors to show
        }
        return out;
    }

    /** The file systems of block devices (what df shows without pseudo file systems). */
    public static List<FileSystem> fileSystems() {
        List<FileSystem> out = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] f = l.split(" ");
                if (f.length < 2 || !f[0].startsWith("/dev/")) {
                    continue;
                }
                try {
                    FileStore s = Files.getFileStore(Path.of(f[1].replace("\\040", " ")));
                    long total = s.getTotalSpace() / 1024;
                    long avail = s.getUsableSpace() / 1024;
                    out.add(new FileSystem(f[0], f[1], total, total - s.getUnallocatedSpace() / 1024, avail));
                } catch (IOException e) {
                    // a mount that went away meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc/mounts
        }
        return out;
    }
}
