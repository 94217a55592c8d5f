package io.parvirt.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.it.RunningDaemon;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's benchmark: the partitions page's first load with 1000 partitions defined, measured in
 * the browser (navigation timing, in ms since navigation start: usable, when the first screen of
 * rows from the feed's snapshot is painted; every row drawn; the load event; and where the time went
 * before), median of 7 fresh loads after one warm-up; the daemon's side of a new browser (its feed
 * snapshot on the wire); then how soon a change made by the CLI reaches that open table of 1000 rows.
 * Results: bench/RESULTS.md. Run: {@code mvn -B test -Dtest=WebFirstLoadBench}.
 */
@Tag("daemon")
class WebFirstLoadBench {
    static final int PARTITIONS = Integer.getInteger("bench.partitions", 1000); // fewer: a quick check of the bench itself
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
            // every task of 50 ms or more in the page, from its start (a page busy that long does not answer a click)
            browser.driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
                    window.parvirtLongTasks = [];
                    new PerformanceObserver(l => l.getEntries().forEach(e => window.parvirtLongTasks.push(
                        [e.startTime, e.duration]))).observe({type: 'longtask'});"""));
            List<Double> usable = new ArrayList<>();
            List<Double> table = new ArrayList<>();
            List<Double> load = new ArrayList<>();
            List<Double> draw = new ArrayList<>();
            List<Double> longest = new ArrayList<>();
            String longTasks = "";
            Map<String, List<Double>> phases = new java.util.LinkedHashMap<>();
            for (int i = 0; i <= LOADS; i++) {
                browser.driver.get("about:blank");
                browser.driver.get(browser.base + "/#/partitions");
                browser.waitFor(d -> browser.driver.executeScript("return window.parvirtPaintedAt !== undefined "
                        + "&& window.parvirtTableAt !== undefined "
                        + "&& performance.getEntriesByType('navigation')[0].loadEventEnd > 0"));
                @SuppressWarnings("unchecked")
                Map<String, Object> t = (Map<String, Object>) browser.driver.executeScript("""
                        const n = performance.getEntriesByType('navigation')[0];
                        const mark = m => (performance.getEntriesByName(m)[0] || {startTime: -1}).startTime;
                        const scripts = performance.getEntriesByType('resource').filter(r => r.name.endsWith('.js'));
                        const after = window.parvirtPaintedAt;
                        return {usable: window.parvirtPaintedAt, table: window.parvirtTableAt, load: n.loadEventEnd,
                                draw: window.parvirtDrawMs, rows: document.querySelectorAll('#partitions tbody tr').length,
                                longest: Math.max(0, ...window.parvirtLongTasks.filter(([at]) => at >= after).map(([, d]) => d)),
                                longTasks: window.parvirtLongTasks.map(([at, d]) => Math.round(at) + '+' + Math.round(d)).join(' '),
                                phases: {html: n.responseEnd, domInteractive: n.domInteractive,
                                         scripts: Math.max(0, ...scripts.map(r => r.responseEnd)), scriptFiles: scripts.length,
                                         session: mark('parvirt-session'), feedOpen: mark('parvirt-feed-open'),
                                         snapshot: mark('parvirt-snapshot'), firstRows: window.parvirtFirstRowsAt,
                                         painted: window.parvirtPaintedAt, allRows: window.parvirtTableAt,
                                         loadEvent: n.loadEventEnd}};
                        """);
                assertThat(((Number) t.get("rows")).intValue()).isEqualTo(PARTITIONS);
                if (i > 0) { // the first load warms the JIT and the browser's caches
                    usable.add(((Number) t.get("usable")).doubleValue());
                    table.add(((Number) t.get("table")).doubleValue());
                    load.add(((Number) t.get("load")).doubleValue());
                    draw.add(((Number) t.get("draw")).doubleValue());
                    longest.add(((Number) t.get("longest")).doubleValue());
                    longTasks = String.valueOf(t.get("longTasks"));
                    @SuppressWarnings("unchecked")
                    Map<String, Object> p = (Map<String, Object>) t.get("phases");
                    p.forEach((k, v) -> phases.computeIfAbsent(k, x -> new ArrayList<>()).add(((Number) v).doubleValue()));
                }
            }
            browser.screenshot("partitions-1000");
            System.out.printf("web bench: first load, %d partitions: usable (first screen of rows painted) median %.0f ms "
                    + "[min %.0f, max %.0f]; load event median %.0f ms; all %s%n", PARTITIONS, median(usable),
                    usable.stream().mapToDouble(d -> d).min().orElse(0), usable.stream().mapToDouble(d -> d).max()
                            .orElse(0), median(load), usable);
            System.out.printf("web bench: first load, %d partitions: every row drawn median %.0f ms %s; the longest task "
                    + "after usable median %.0f ms %s%n", PARTITIONS, median(table), table, median(longest), longest);
            System.out.printf("web bench: first load, %d partitions: the last load's tasks of 50 ms or more (start+ms): %s%n",
                    PARTITIONS, longTasks);
            System.out.printf("web bench: first load, %d partitions: of which the page's own drawing of the first rows "
                    + "median %.1f ms %s%n", PARTITIONS, median(draw), draw);
            StringBuilder b = new StringBuilder();
            phases.forEach((k, v) -> b.append(' ').append(k).append(' ').append(String.format("%.0f", median(v))));
            System.out.printf("web bench: first load, %d partitions: where the time goes, median ms since navigation "
                    + "start (scriptFiles: a count):%s%n", PARTITIONS, b);
            feedOnTheWire(daemon, "olivia", "operator1");
            pushedChanges(daemon, browser);
            // the target is 300 ms; asserted (after every figure is printed) with room for a loaded 2-core machine
            assertThat(median(usable)).isLessThan(1500);
            assertThat(median(table)).isLessThan(5000);
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
            String old = String.format("lp%04d", PARTITIONS - 10 + i);
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
            String middle = String.format("lp%04d", PARTITIONS / 2);
            browser.driver.executeScript("window.watch = [[arguments[0], 'tr[data-name=' + arguments[2] + '] td:nth-child(8)', "
                    + "arguments[1]]]", key, mem, middle);
            r = daemon.hmc("chsyscfg", "-r", "prof", "-m", "sys1", "-i", "name=default,lpar_name=" + middle + ",desired_mem=" + mem);
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

    /**
     * The daemon's side of a new browser: {@code GET /api/v1/feed} as {@code user}, timed from the
     * request to the snapshot event's last byte, and its size; median of {@code LOADS}.
     */
    static void feedOnTheWire(RunningDaemon daemon, String user, String password) {
        HttpClient http = HttpClient.newHttpClient();
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        List<Double> ms = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i <= LOADS; i++) {
            long t0 = System.nanoTime();
            try {
                HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port()
                        + "/api/v1/feed")).header("Accept", "text/event-stream").header("Authorization", "Basic " + basic)
                        .build(), HttpResponse.BodyHandlers.ofInputStream());
                try (var in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                    String line;
                    boolean snapshot = false;
                    while ((line = in.readLine()) != null) {
                        if (line.equals("event: snapshot")) {
                            snapshot = true;
                        } else if (snapshot && line.startsWith("data:")) {
                            bytes = line.length();
                            break;
                        }
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (i > 0) {
                ms.add((System.nanoTime() - t0) / 1e6);
            }
        }
        System.out.printf("web bench: a new browser's feed snapshot on the daemon, %d partitions: request to last byte "
                + "median %.1f ms %s; %d bytes%n", PARTITIONS, median(ms), ms, bytes);
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
