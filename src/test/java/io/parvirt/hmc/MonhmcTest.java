package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.InProcessSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: {@code monhmc -r mem|swap|proc|disk -n 0} answers one sample of the console's own
 * machine (this host) in top's and df's lines, for any role; a bad resource is a syntax error.
 */
@Tag("unit")
class MonhmcTest {
    @Test
    void eachResourceIsOneSampleOfThisHost(@TempDir Path dir) throws Exception {
        try (InProcessSystem s = new InProcessSystem(dir)) {
            s.ok("mkhmcusr", "-u", "viewer", "-a", "hmcviewer", "--passwd", "viewer-pw-1");
            String mem = s.runAs("viewer", "monhmc", "-r", "mem", "-n", "0").stdout();
            long total = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
            assertThat(mem).matches("Mem: +" + total + "k total, +\\d+k used, +\\d+k free, +\\d+k buffers\n");
            assertThat(s.run("monhmc", "-r", "swap", "-n", "0").stdout())
                    .matches("Swap: +\\d+k total, +\\d+k used, +\\d+k free, +\\d+k cached\n");
            String proc = s.run("monhmc", "-r", "proc", "-n", "0").stdout();
            assertThat(proc.lines().count()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(proc).startsWith("Cpu0  : ").contains("%us, ").contains("%id, ");
            String disk = s.run("monhmc", "-r", "disk").stdout();
            assertThat(disk).startsWith("Filesystem ").contains(" Mounted on\n");
            assertThat(s.run("monhmc", "-r", "bogus").stdout()).endsWith("are -r.\n");
        }
    }
}
