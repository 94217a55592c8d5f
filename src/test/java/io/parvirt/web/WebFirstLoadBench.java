package io.parvirt.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.it.RunningDaemon;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's benchmark: the partitions page's first load with 1000 partitions defined, measured in
 * the browser (navigation timing: load event, and the moment the whole table is drawn from the
 * feed's snapshot, both in ms since navigation start), median of 7 fresh loads after one warm-up.
 * Results: bench/RESULTS.md. Run: {@code mvn -B test -Dtest=WebFirstLoadBench}.
 */
@Tag("daemon")
class WebFirstLoadBench {
    static final int PARTITIONS = 1000;
    static final int LOADS = 7;

    @Test
    void firstLoadOfThePartitionsPageWith1000Partitions() {
        try (RunningDaemon daemon = RunningDaemon.startWithoutImages(); Browser browser = new Browser(daemon.port())) {
            long t0 = System.nanoTime();
            for (int i = 0; i < PARTITIONS; i++) {
                var r = daemon.api("POST", "/api/v1/partitions", String.format("{\"name\":\"lp%04d\",\"profile_name\":"
                        + "\"default\",\"lpar_env\":\"aixlinux\",\"min_mem\":256,\"desired_mem\":512,\"max_mem\":1024,"
                        + "\"proc_mode\":\"shared\",\"min_proc_units\":0.05,\"desired_proc_units\":0.1,"
                        + "\"max_proc_units\":1.0,\"min_procs\":1,\"desired_procs\":1,\"max_procs\":2,"
                        + "\"sharing_mode\":\"uncap\",\"uncap_weight\":128}", i));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            }
            System.out.printf("web bench: %d partitions defined in %.1f s%n", PARTITIONS, (System.nanoTime() - t0) / 1e9);
            assertThat(daemon.hmc("mkhmcusr", "-u", "olivia", "-a", "hmcoperator", "--passwd", "operator1").exit()).isZero();
            browser.login("olivia", "operator1");
            List<Double> table = new ArrayList<>();
            List<Double> load = new ArrayList<>();
            for (int i = 0; i <= LOADS; i++) {
                browser.driver.get("about:blank");
                browser.driver.get(browser.base + "/#/partitions");
                browser.waitFor(d -> browser.driver.executeScript("return window.parvirtTableAt !== undefined "
                        + "&& performance.getEntriesByType('navigation')[0].loadEventEnd > 0"));
                @SuppressWarnings("unchecked")
                Map<String, Object> t = (Map<String, Object>) browser.driver.executeScript("""
                        const n = performance.getEntriesByType('navigation')[0];
                        return {table: window.parvirtTableAt, load: n.loadEventEnd,
                                rows: document.querySelectorAll('#partitions tbody tr').length};
                        """);
                assertThat(((Number) t.get("rows")).intValue()).isEqualTo(PARTITIONS);
                if (i > 0) { // the first load warms the JIT and the browser's caches
                    table.add(((Number) t.get("table")).doubleValue());
                    load.add(((Number) t.get("load")).doubleValue());
                }
            }
            browser.screenshot("partitions-1000");
            System.out.printf("web bench: first load, %d partitions: table drawn (usable) median %.0f ms "
                    + "[min %.0f, max %.0f]; load event median %.0f ms; all %s%n", PARTITIONS, median(table),
                    table.stream().mapToDouble(d -> d).min().orElse(0), table.stream().mapToDouble(d -> d).max()
                            .orElse(0), median(load), table);
            // the target is 300 ms; asserted with room for a loaded 2-core machine
            assertThat(median(table)).isLessThan(1500);
        }
    }

    static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.get(s.size() / 2);
    }
}
