package io.parvirt.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.it.RunningDaemon;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Issue 16: a real partition (QEMU, the default image) activated, shut down and deleted from the
 * browser; each state arrives on the open page through the feed, without a reload. Its console in
 * the page's terminal answers the guest's queries; a second browser watches, then takes the keyboard.
 * While it runs: its sparklines (processor units, memory), its utilization chart from the stored
 * samples, and a virtual Ethernet adapter added and removed by the adapter DLPAR dialog. Then the
 * mobility dialog: a destination that does not exist refused with its HSCL message, a validation,
 * a slow migration whose progress bar moves and which Stop ends with the partition still running
 * here, and a migration to sys2 (a second daemon, joined in this JVM as {@code MobilityTest} joins
 * them); on sys2's own web console the operating system is shut down from the confirmation dialog
 * and the partition deleted.
 */
@Tag("guest")
class WebActivationGuestTest {
    @Test
    void activateFromTheBrowserSeeRunningLiveThenShutDownAndDelete() {
        try (RunningDaemon daemon = RunningDaemon.start("accel=auto\nutilization.sample_seconds=1\n");
                RunningDaemon sys2 = RunningDaemon.start("accel=auto\nsystem.name=sys2\n");
                Browser browser = new Browser(daemon.port())) {
            daemon.daemon().operations().mobility().targets(name -> name.equals("sys2")
                    ? java.util.Optional.of(sys2.daemon().operations().mobilityTarget()) : java.util.Optional.empty());
            assertThat(daemon.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=lp1,profile_name=default,"
                    + "lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=512,proc_mode=shared,min_proc_units=0.1,"
                    + "desired_proc_units=0.1,max_proc_units=2.0,min_procs=1,desired_procs=1,max_procs=4,"
                    + "sharing_mode=uncap,uncap_weight=128").exit()).isZero();
            assertThat(daemon.hmc("mkhmcusr", "-u", "olivia", "-a", "hmcoperator", "--passwd", "operator1").exit())
                    .isZero();
            assertThat(daemon.hmc("mkhmcusr", "-u", "oscar", "-a", "hmcoperator", "--passwd", "operator2").exit())
                    .isZero();
            browser.login("olivia", "operator1");
            browser.open("#/partition/lp1");
            assertThat(browser.find("#lpar-state").getText()).isEqualTo("Not Activated");
            browser.driver.executeScript("""
                    window.marker = 'no reload'; window.states = [];
                    const s = document.getElementById('lpar-state');
                    new MutationObserver(() => window.states.push(s.textContent))
                        .observe(s, {childList: true, characterData: true, subtree: true});
                    """);
            browser.find("#activate").click();
            new WebDriverWait(browser.driver, Duration.ofSeconds(180)).until(d -> d.findElement(By.id("lpar-state"))
                    .getText().equals("Running"));
            assertThat(browser.driver.executeScript("return window.marker")).isEqualTo("no reload");
            System.out.println("web: states seen on the open page: " + browser.driver.executeScript(
                    "return window.states"));
            browser.screenshot("partition-running");

            // the serial console in a terminal in the page, over the WebSocket: a command and its answer
            browser.find("#open-console").click();
            browser.waitFor(d -> "keyboard".equals(d.findElement(By.id("console-status")).getDomAttribute("data-mode")));
            browser.typeInTerminal(Keys.ENTER);
            // typed before the prompt, keys cross the terminal's answer to the shell's cursor query
            // (seen under load: "unaRme -a")
            awaitPrompt(browser);
            browser.typeInTerminal("uname -a", Keys.ENTER);
            awaitTerminal(browser, "Linux", 30);
            awaitPrompt(browser); // typed before the prompt, keys would cross the shell's cursor query
            // the terminal answers the guest's cursor-position query (ESC [ 6 n) on its own: the shell reads it
            browser.typeInTerminal("printf '\\033[5;9H\\033[6n'; read -r x; echo \"cpr${x#?}\"", Keys.ENTER);
            awaitTerminal(browser, "^[[5;9R", 30); // the guest's tty echoes the answer; then the line ends
            browser.typeInTerminal(Keys.ENTER);
            awaitTerminal(browser, "cpr[5;9R", 30);
            browser.screenshot("console");

            // a second browser joins read-only, sees the same output, then takes the keyboard over
            try (Browser second = new Browser(daemon.port())) {
                second.login("oscar", "operator2");
                second.open("#/partition/lp1");
                second.find("#open-console").click();
                second.waitFor(d -> "view".equals(d.findElement(By.id("console-status")).getDomAttribute("data-mode")));
                assertThat(second.find("#console-holder").getText()).contains("olivia");
                awaitPrompt(browser);
                browser.typeInTerminal("echo shared-$((6*7))", Keys.ENTER);
                awaitTerminal(second, "shared-42", 30);
                second.screenshot("console-viewer");
                second.find("#console-take").click();
                second.waitFor(d -> "keyboard".equals(d.findElement(By.id("console-status")).getDomAttribute("data-mode")));
                browser.waitFor(d -> "view".equals(d.findElement(By.id("console-status")).getDomAttribute("data-mode")));
                awaitTerminal(browser, "oscar took over the keyboard", 10);
                awaitPrompt(second);
                second.typeInTerminal("echo taken-$((2*3))", Keys.ENTER);
                awaitTerminal(browser, "taken-6", 30);
            }
            // who held the keyboard when, in the audit trail: each session's start and end, with its user
            io.parvirt.testing.Await.until("oscar's release in the audit trail", Duration.ofSeconds(30),
                    () -> daemon.api("GET", "/api/v1/events", null).body(),
                    b -> b.contains("Console of partition lp1: keyboard released by oscar"));
            assertThat(daemon.api("GET", "/api/v1/events", null).body()).contains(
                    "Console of partition lp1: keyboard taken by olivia from the web console",
                    "Console of partition lp1: read-only view opened by oscar from the web console",
                    "Console of partition lp1: keyboard taken over from olivia by oscar",
                    "Console of partition lp1: keyboard taken by oscar from the web console");
            assertThat(daemon.hmc("lssvcevents", "-t", "console", "-F", "text").stdout())
                    .contains("Console of partition lp1: keyboard taken over from olivia by oscar");
            mkvtermHolderIsNamedToAViewer(daemon, browser);

            // the table's sparkline: the dispatcher's figures of processor units used, a point every few seconds
            browser.open("#/partitions");
            // the row is redrawn at every feed event: a polyline found may be gone when read (stale)
            new WebDriverWait(browser.driver, Duration.ofSeconds(30)).ignoring(
                    org.openqa.selenium.StaleElementReferenceException.class).until(d -> d.findElements(By.cssSelector(
                    "tr[data-name=lp1] td.spark polyline")).stream().anyMatch(p -> p.getDomAttribute("points")
                    .split(" ").length >= 3));
            assertThat(browser.find("tr[data-name=lp1] td.spark").getDomAttribute("data-used")).matches("\\d+\\.\\d\\d");
            // beside it the memory the partition runs with (lshwres run_mem)
            browser.waitFor(d -> "256".equals(d.findElement(By.cssSelector("tr[data-name=lp1] td.spark.mem"))
                    .getDomAttribute("data-mem")));
            assertThat(WebConsoleBrowserTest.clipped(browser)).as("sparklines fit their fixed columns").isEmpty();
            browser.screenshot("partitions-sparklines");
            browser.open("#/partition/lp1");

            // the utilization chart: entitled 0.1 units per interval, from lslparutil's samples (one a second)
            new WebDriverWait(browser.driver, Duration.ofSeconds(60)).until(d -> {
                var line = d.findElements(By.cssSelector("#lpar-util-chart polyline.entitled"));
                if (!line.isEmpty() && Integer.parseInt(line.getFirst().getDomAttribute("data-points")) >= 3) {
                    return true;
                }
                new org.openqa.selenium.support.ui.Select(d.findElement(By.id("lpar-util-window"))).selectByValue(
                        line.isEmpty() || d.findElement(By.id("lpar-util-window")).getDomProperty("value").equals("10")
                                ? "60" : "10"); // a new choice reloads the samples
                return false;
            });
            String entitled = browser.driver.findElement(By.cssSelector("#lpar-util-chart polyline.entitled"))
                    .getDomAttribute("data-last");
            assertThat(Double.parseDouble(entitled)).isCloseTo(0.1, org.assertj.core.api.Assertions.within(0.01));
            assertThat(browser.driver.findElement(By.cssSelector("#lpar-util-chart polyline.used"))
                    .getDomAttribute("data-points")).isNotEqualTo("0");
            assertThat(browser.find("#lpar-util-mem").getText()).isEqualTo("Memory: 256 MB");
            browser.screenshot("partition-utilization");

            // a virtual Ethernet adapter hot-plugged from the dialog, listed by lshwres, then removed
            browser.find("#vio-open").click();
            browser.find("#vio-slot").clear();
            browser.find("#vio-slot").sendKeys("6");
            browser.find("#vio-pvid").clear();
            browser.find("#vio-pvid").sendKeys("7");
            browser.find("#vio-apply").click();
            new WebDriverWait(browser.driver, Duration.ofSeconds(120)).until(d -> !d.findElements(By.cssSelector(
                    "#current-adapters li[data-slot='6']")).isEmpty() || !d.findElement(By.id("vio-error")).getText()
                    .isEmpty());
            assertThat(text(browser, "vio-error")).isEmpty();
            assertThat(browser.find("#current-adapters li[data-slot='6']").getText()).contains("PVID 7");
            assertThat(daemon.hmc("lshwres", "-r", "virtualio", "--rsubtype", "eth", "-m", "sys1", "--level", "lpar",
                    "--filter", "lpar_names=lp1", "-F", "slot_num,port_vlan_id").stdout()).contains("6,7");
            browser.screenshot("adapter-dlpar");
            browser.find("#vio-open").click();
            new org.openqa.selenium.support.ui.Select(browser.find("#vio-operation")).selectByValue("r");
            browser.find("#vio-apply").click();
            new WebDriverWait(browser.driver, Duration.ofSeconds(120)).until(d -> d.findElements(By.cssSelector(
                    "#current-adapters li[data-slot='6']")).isEmpty() || !d.findElement(By.id("vio-error")).getText()
                    .isEmpty());
            assertThat(daemon.hmc("lshwres", "-r", "virtualio", "--rsubtype", "eth", "-m", "sys1", "--level", "lpar",
                    "--filter", "lpar_names=lp1", "-F", "slot_num").stdout()).as(text(browser, "vio-error"))
                    .doesNotContain("6");

            migrateFromTheDialog(daemon, sys2, browser);

            // on sys2's own console now: the operating system shut down, after the confirmation, then deleted
            assertThat(sys2.hmc("mkhmcusr", "-u", "olivia", "-a", "hmcoperator", "--passwd", "operator1").exit()).isZero();
            try (Browser there = new Browser(sys2.port())) {
                there.login("olivia", "operator1");
                there.open("#/partition/lp1");
                there.waitFor(d -> d.findElement(By.id("lpar-state")).getText().equals("Running"));
                there.find("#osshutdown").click();
                there.find("#osshutdown-confirm").click();
                new WebDriverWait(there.driver, Duration.ofSeconds(120)).until(d -> d.findElement(By.id("lpar-state"))
                        .getText().equals("Not Activated"));
                assertThat(text(there, "action-message")).isEmpty();
                there.find("#delete").click();
                there.find("#delete-confirm").click();
                there.waitFor(d -> d.getCurrentUrl().endsWith("#/partitions"));
                assertThat(sys2.api("GET", "/api/v1/partitions/lp1", null).statusCode()).isEqualTo(404);
            }
        }
    }

    /**
     * The mobility dialog on the running lp1: refusal, validation, a stopped slow migration (the
     * partition stays Running here, nothing on sys2), then a migration that completes.
     */
    /**
     * A keyboard held by mkvterm (olivia's, through the API as the CLI opens it) is named to a browser
     * that opens the console, with where it came from, not as "another session".
     */
    static void mkvtermHolderIsNamedToAViewer(RunningDaemon daemon, Browser browser) {
        var mk = daemon.request("POST", "/api/v1/hmc/cli", "{\"argv\":[\"mkvterm\",\"-m\",\"sys1\",\"-p\",\"lp1\"]}",
                "Basic " + java.util.Base64.getEncoder().encodeToString("olivia:operator1".getBytes(
                        java.nio.charset.StandardCharsets.UTF_8)));
        String socket = mk.headers().firstValue("X-Parvirt-Vterm").orElseThrow(() -> new AssertionError(mk.body()));
        try (var held = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
            io.parvirt.testing.Await.until("olivia's mkvterm holds the keyboard", Duration.ofSeconds(30),
                    () -> daemon.api("GET", "/api/v1/events", null).body(),
                    b -> b.contains("Console of partition lp1: keyboard taken by olivia from mkvterm"));
            browser.open("#/partitions");
            browser.open("#/partition/lp1");
            browser.find("#open-console").click();
            browser.waitFor(d -> "view".equals(d.findElement(By.id("console-status")).getDomAttribute("data-mode")));
            browser.waitFor(d -> d.findElement(By.id("console-holder")).getText().contains("olivia, mkvterm at 127.0.0.1"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void migrateFromTheDialog(RunningDaemon daemon, RunningDaemon sys2, Browser browser) {
        String before = daemon.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name,lpar_id,state").stdout();
        browser.find("#migrate-open").click();
        browser.find("#migr-target").clear();
        browser.find("#migr-target").sendKeys("nosuch");
        browser.find("#migr-validate").click();
        browser.waitFor(d -> d.findElement(By.id("migr-message")).getText().startsWith("HSCL"));
        assertThat(browser.find("#migr-start").isEnabled()).isFalse();
        assertThat(daemon.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name,lpar_id,state").stdout())
                .isEqualTo(before);
        browser.find("#migr-target").clear();
        browser.find("#migr-target").sendKeys("sys2");
        browser.find("#migr-validate").click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(60)).until(d -> d.findElement(By.id("migr-message"))
                .getText().startsWith("Validation passed") || d.findElement(By.id("migr-message")).getText()
                .startsWith("HSCL"));
        assertThat(text(browser, "migr-message")).startsWith("Validation passed");

        // slow: in flight long enough for the bar to move and for Stop
        daemon.daemon().operations().mobility().bandwidth(2L << 20);
        browser.find("#migr-start").click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(120)).until(d -> Integer.parseInt(d.findElement(
                By.id("migr-progress")).getDomProperty("value")) > 0 || "error".equals(d.findElement(
                By.id("migrate")).getDomAttribute("data-phase")));
        assertThat(text(browser, "migr-figures")).as(text(browser, "migr-message")).contains("MB sent");
        browser.screenshot("migrate");
        browser.find("#migr-stop").click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(120)).until(d -> "error".equals(d.findElement(
                By.id("migrate")).getDomAttribute("data-phase")));
        assertThat(text(browser, "migr-message")).contains("was stopped");
        assertThat(daemon.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=lp1", "-F", "state")
                .stdout().strip()).isEqualTo("Running");
        assertThat(sys2.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name").stdout()).doesNotContain("lp1");

        // at full speed, validated again (a stop ends the validation's use): it moves
        daemon.daemon().operations().mobility().bandwidth(10L << 30);
        browser.find("#migr-validate").click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(60)).until(d -> d.findElement(By.id("migr-start"))
                .isEnabled() || d.findElement(By.id("migr-message")).getText().startsWith("HSCL"));
        browser.find("#migr-start").click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(180)).until(d -> {
            String phase = d.findElement(By.id("migrate")).getDomAttribute("data-phase");
            return "done".equals(phase) || "error".equals(phase);
        });
        assertThat(text(browser, "migr-message")).isEqualTo("lp1 now runs on sys2.");
        assertThat(browser.find("#migr-progress").getDomProperty("value")).isEqualTo("100");
        assertThat(daemon.api("GET", "/api/v1/partitions/lp1", null).statusCode()).isEqualTo(404);
        assertThat(sys2.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "--filter", "lpar_names=lp1", "-F", "state")
                .stdout().strip()).isEqualTo("Running");
        browser.find("#migr-close").click();
    }

    /** An element's text whether shown or not (a closed dialog's message). */
    static String text(Browser b, String id) {
        return b.driver.findElement(By.id(id)).getDomProperty("textContent");
    }

    /** The shell's prompt is the terminal's last line (and its cursor query has been answered with it). */
    static void awaitPrompt(Browser b) {
        try {
            new WebDriverWait(b.driver, Duration.ofSeconds(30)).until(d -> b.terminal().strip().endsWith("lp1:/#"));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no prompt:\n" + b.terminal(), e);
        }
    }

    static void awaitTerminal(Browser b, String text, int seconds) {
        try {
            new WebDriverWait(b.driver, Duration.ofSeconds(seconds)).until(d -> b.terminal().contains(text));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("the terminal never showed " + text + ":\n" + b.terminal(), e);
        }
    }
}
