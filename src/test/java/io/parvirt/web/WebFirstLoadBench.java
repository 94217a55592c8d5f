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
 * feed's snapshot, both in ms since navigation start), median of 7 fresh loads after one warm-up;
 * then how soon a change made by the CLI reaches that open table of 1000 rows.
 * Results: bench/RESULTS.md. Run: {@code mvn -B test -Dtest=WebFirstLoadBench}.
 */
@Tag("daemon")
class WebFirstLoadBench {
    static final int PARTITIONS = 1000;
    static final int LOADS = 7;
    static final int CHANGES = 7;

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
            List<Double> draw = new ArrayList<>();
            for (int i = 0; i <= LOADS; i++) {
                browser.driver.get("about:blank");
                browser.driver.get(browser.base + "/#/partitions");
                browser.waitFor(d -> browser.driver.executeScript("return window.parvirtTableAt !== undefined "
                        + "&& performance.getEntriesByType('navigation')[0].loadEventEnd > 0"));
                @SuppressWarnings("unchecked")
                Map<String, Object> t = (Map<String, Object>) browser.driver.executeScript("""
                        const n = performance.getEntriesByType('navigation')[0];
                        return {table: window.parvirtTableAt, load: n.loadEventEnd, draw: window.parvirtDrawMs,
                                rows: document.querySelectorAll('#partitions tbody tr').length};
                        """);
                assertThat(((Number) t.get("rows")).intValue()).isEqualTo(PARTITIONS);
                if (i > 0) { // the first load warms the JIT and the browser's caches
                    table.add(((Number) t.get("table")).doubleValue());
                    load.add(((Number) t.get("load")).doubleValue());
                    draw.add(((Number) t.get("draw")).doubleValue());
                }
            }
            browser.screenshot("partitions-1000");
            System.out.printf("web bench: first load, %d partitions: table drawn (usable) median %.0f ms "
                    + "[min %.0f, max %.0f]; load event median %.0f ms; all %s%n", PARTITIONS, median(table),
                    table.stream().mapToDouble(d -> d).min().orElse(0), table.stream().mapToDouble(d -> d).max()
                            .orElse(0), median(load), table);
            System.out.printf("web bench: first load, %d partitions: of which the page's own drawing of the table "
                    + "median %.1f ms %s%n", PARTITIONS, median(draw), draw);
            pushedChanges(daemon, browser);
            // the target is 300 ms; asserted (after every figure is printed) with room for a loaded 2-core machine
            assertThat(median(table)).isLessThan(1500);
        }
    }

    /**
     * The second figure at 1000 partitions: a change made elsewhere (the CLI) until the open
     * table shows it, in ms from the command's answer to the DOM holding the new row or cell (both
     * clocks are this machine's wall clock). Three kinds, {@code CHANGES} each: a new partition (a row
     * more, after one removed: a row less) and a profile change of an existing one (a cell of row 500).
     */
    static void pushedChanges(RunningDaemon daemon, Browser browser) {
        browser.driver.executeScript("""
                window.seenAt = {};
                new MutationObserver(() => {
                  for (const [key, css, text] of window.watch || []) {
                    if (window.seenAt[key]) continue;
                    const e = document.querySelector(css);
                    if (text === 'gone' ? !e : e && (!text || e.textContent === text)) window.seenAt[key] = Date.now();
                  }
                }).observe(document.getElementById('partitions'), {childList: true, subtree: true, characterData: true});
                """);
        List<Double> added = new ArrayList<>();
        List<Double> removed = new ArrayList<>();
        List<Double> changed = new ArrayList<>();
        for (int i = 0; i < CHANGES; i++) {
            // the system holds 1000 at most (max_lpars): one goes, then one comes
            String old = String.format("lp%04d", 990 + i);
            browser.driver.executeScript("window.watch = [[arguments[0], 'tr[data-name=' + arguments[0] + ']', 'gone']]", old);
            var gone = daemon.hmc("rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", old);
            long out = System.currentTimeMillis();
            assertThat(gone.exit()).as(gone.stdout()).isZero();
            removed.add(seen(browser, old) - out);
            String name = "new" + i;
            browser.driver.executeScript("window.watch = [[arguments[0], 'tr[data-name=' + arguments[0] + ']', null]]", name);
            var r = daemon.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=" + name + ",profile_name=default,"
                    + "lpar_env=aixlinux,min_mem=256,desired_mem=512,max_mem=1024,proc_mode=shared,min_proc_units=0.05,"
                    + "desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,"
                    + "sharing_mode=uncap,uncap_weight=128");
            long done = System.currentTimeMillis();
            assertThat(r.exit()).as(r.stdout()).isZero();
            added.add(seen(browser, name) - done);

            String mem = i % 2 == 0 ? "768" : "1024";
            String key = "mem" + i;
            browser.driver.executeScript("window.watch = [[arguments[0], 'tr[data-name=lp0500] td:nth-child(8)', arguments[1]]]",
                    key, mem);
            r = daemon.hmc("chsyscfg", "-r", "prof", "-m", "sys1", "-i", "name=default,lpar_name=lp0500,desired_mem=" + mem);
            done = System.currentTimeMillis();
            assertThat(r.exit()).as(r.stdout()).isZero();
            changed.add(seen(browser, key) - done);
        }
        System.out.printf("web bench: pushed change, %d partitions: row gone median %.0f ms %s; new row median %.0f ms "
                + "%s; changed cell median %.0f ms %s%n", PARTITIONS, median(removed), removed, median(added), added,
                median(changed), changed);
        @SuppressWarnings("unchecked")
        List<Number> applied = (List<Number>) browser.driver.executeScript("return window.parvirtChangeMs || []");
        List<Double> ms = applied.stream().map(Number::doubleValue).toList();
        System.out.printf("web bench: pushed change, %d partitions: the page's own work per change (rows redrawn) "
                + "median %.2f ms, max %.2f ms, over %d changes%n", PARTITIONS, median(ms),
                ms.stream().mapToDouble(d -> d).max().orElse(0), ms.size());
        // the anchor, in the same page: a whole redraw of the 1000 rows (a sort), which every change cost before
        List<Double> full = new ArrayList<>();
        for (int i = 0; i < CHANGES; i++) {
            full.add(((Number) browser.driver.executeScript("""
                    const b = document.querySelector('th[data-key=lpar_id] button');
                    const t = performance.now(); b.click(); return performance.now() - t;""")).doubleValue());
        }
        System.out.printf("web bench: anchor, %d partitions: a whole redraw of the table (sorting by ID) median %.1f ms %s%n",
                PARTITIONS, median(full), full);
        // the target is 200 ms; asserted with room for a loaded 2-core machine
        assertThat(median(added)).isLessThan(2000);
        assertThat(median(removed)).isLessThan(2000);
        assertThat(median(changed)).isLessThan(2000);
    }

    private static double seen(Browser browser, String key) {
        Object at = browser.waitFor(d -> browser.driver.executeScript("return window.seenAt[arguments[0]]", key));
        return ((Number) at).doubleValue();
    }

    static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.get(s.size() / 2);
    }
}
