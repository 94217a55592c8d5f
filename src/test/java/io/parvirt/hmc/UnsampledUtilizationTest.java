package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.InProcessSystem;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: capacity tools ask {@code lslparutil} for every resource type; the ones parvirt does
 * not sample (a shared memory pool, the console's own events) are an empty list, never a syntax
 * error, while an unknown system is still HSCL8011.
 */
@Tag("unit")
class UnsampledUtilizationTest {
    @Test
    void mempoolAndHmcAreEmptyLists(@TempDir Path dir) {
        try (InProcessSystem s = new InProcessSystem(dir)) {
            for (String r : new String[] {"mempool", "hmc"}) {
                HmcResult res = s.run("lslparutil", "-r", r, "-m", InProcessSystem.SYS, "-h", "1", "-F", "time",
                        "--header", "--filter", "event_types=sample");
                assertThat(res.exitCode()).as(r).isZero();
                assertThat(res.stdout()).as(r).isEqualTo("No results were found.\n");
                assertThat(s.run("lslparutil", "-r", r, "-m", "nosuch").stdout()).as(r).startsWith("HSCL8011 ");
            }
            assertThat(s.run("lslparutil", "-r", "bogus", "-m", InProcessSystem.SYS).stdout())
                    .endsWith("are -r.\n");
            // serviceable events: none, with the attributes tools name (issue 15's example)
            assertThat(s.run("lssvcevents", "-t", "hardware", "-F", "first_time~sys_name~text").stdout())
                    .isEqualTo("No results were found.\n");
            assertThat(s.run("lssvcevents", "-t", "hardware", "-F", "userid").stdout()).startsWith("An invalid attribute");
        }
    }
}
