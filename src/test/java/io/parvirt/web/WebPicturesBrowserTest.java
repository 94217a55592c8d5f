package io.parvirt.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.it.RunningDaemon;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * Issue 16: the web console's pictures and forms that need no running partition, in a real Chromium
 * against a real daemon: the virtual network (switch, VLANs, adapters, a trunk), a VIOS's mappings
 * (made with the VIOS's own commands), the system's utilization chart from stored samples, a connected
 * system (a second daemon) shown Connected then No Connection once it stops, adapters
 * in the create form, and the adapter DLPAR and OS shutdown actions refused for a partition that is
 * not running, with nothing changed. The running cases are in {@link WebActivationGuestTest}.
 */
@Tag("daemon")
class WebPicturesBrowserTest {
    @RegisterExtension
    static final BrowserFixture WEB = new BrowserFixture("utilization.sample_seconds=1\nsysconn.check_seconds=1\n"
            + "sysconn.retry_max_seconds=1\nsysconn.connect_timeout_ms=1000\n");
    static RunningDaemon daemon;
    static Browser browser;

    @BeforeAll
    static void start() {
        daemon = WEB.daemon;
        browser = WEB.browser;
        assertThat(daemon.hmc("mkhmcusr", "-u", "olivia", "-a", "hmcoperator", "--passwd", "operator1").exit()).isZero();
        assertThat(daemon.hmc("mkhmcusr", "-u", "victor", "-a", "hmcviewer", "--passwd", "viewer123").exit()).isZero();
        define("VIOS1", "vioserver", "\"virtual_scsi_adapters=2/server/any//any/1\",\"virtual_eth_adapters=\"\"3/1/1/10,20/1/1\"\"\"");
        define("app1", "aixlinux", "virtual_scsi_adapters=2/client//VIOS1/2/1,\"virtual_eth_adapters=3/0/10//0/1\"");
        define("db1", "aixlinux", "\"virtual_eth_adapters=3/1/20/30/0/1\"");
        vios("mksp -fb pool1 -size 256M");
        vios("mkbdsp -sp pool1 48M -bd appdisk");
        vios("mkvdev -vdev appdisk -vadapter vhost0");
    }

    static void define(String name, String env, String adapters) {
        var r = daemon.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=" + name + ",profile_name=default,lpar_env="
                + env + ",min_mem=256,desired_mem=256,max_mem=512,proc_mode=shared,min_proc_units=0.1,"
                + "desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=1," + adapters);
        assertThat(r.exit()).as(r.stdout()).isZero();
    }

    static String vios(String command) {
        var r = daemon.hmc("viosvrcmd", "-m", "sys1", "-p", "VIOS1", "-c", command);
        assertThat(r.exit()).as(command + ": " + r.stdout()).isZero();
        return r.stdout();
    }

    @Test
    void theNetworkPictureJoinsEachAdapterToItsPortVlanAndItsTaggedVlansAndMarksTheTrunk() {
        browser.login("victor", "viewer123");
        browser.open("#/network");
        browser.find("svg.netpic[data-vswitch=ETHERNET0]");
        assertThat(browser.driver.findElements(By.cssSelector("svg.netpic g.vlan")).stream()
                .map(e -> e.getDomAttribute("data-vlan")).toList()).containsExactly("1", "10", "20", "30");
        assertThat(links("app1/3")).containsExactly("10:pvid");
        assertThat(links("db1/3")).containsExactly("20:pvid", "30:tagged");
        assertThat(links("VIOS1/3")).containsExactly("1:pvid", "10:tagged", "20:tagged");
        assertThat(browser.find("g.adapter.trunk[data-lpar=VIOS1]").getText()).contains("trunk, bridges 1,10,20");
        assertThat(browser.find("li[data-vlan='10']").getText()).isEqualTo(
                "VLAN 10: VIOS1 slot 3 (tagged) trunk, app1 slot 3 (untagged)");
        browser.screenshot("network");
    }

    /** The VLANs the adapter's lines go to, with their kind, as the picture draws them. */
    private static List<String> links(String adapter) {
        return browser.driver.findElements(By.cssSelector("svg.netpic line[data-from='" + adapter + "']")).stream()
                .map(e -> e.getDomAttribute("data-vlan") + ":" + e.getDomAttribute("data-kind")).toList();
    }

    @Test
    void theViosPictureDrawsVhostToTargetToBackingDeviceAndTheClientWithThePoolsFreeSpace() {
        browser.login("olivia", "operator1");
        browser.open("#/vios");
        browser.find("svg.viospic[data-vios=VIOS1]");
        assertThat(browser.find("g.vhost[data-vhost=vhost0]").getText()).isEqualTo("vhost0 (slot 2)");
        assertThat(browser.find("g.vtd[data-vhost=vhost0]").getText()).isEqualTo("vtscsi0");
        assertThat(browser.find("g.backing[data-vtd=vtscsi0]").getText()).isEqualTo("appdisk");
        assertThat(browser.find("g.client[data-vhost=vhost0]").getText()).isEqualTo("app1 (slot 2)");
        WebElement pool = browser.find("tr[data-pool=pool1]");
        assertThat(pool.getText()).contains("256").contains("208");
        browser.screenshot("vios");
        // the client's own page lists what its SCSI adapter reaches: VIOS, vhost, backing device, target device
        browser.open("#/partition/app1");
        assertThat(browser.find("#scsi-devices tr[data-vtd=vtscsi0]").getText()).isEqualTo("VIOS1 vhost0 (slot 2) appdisk vtscsi0");

        // a mapping made on the VIOS shows on the next visit; a viewer sees the adapters but not lsmap
        vios("mkbdsp -sp pool1 16M -bd appdisk2");
        vios("mkvdev -vdev appdisk2 -vadapter vhost0");
        browser.open("#/partitions");
        browser.open("#/vios");
        assertThat(browser.find("g.backing[data-vtd=vtscsi1]").getText()).isEqualTo("appdisk2");
        browser.logout();
        browser.login("victor", "viewer123");
        browser.open("#/vios");
        browser.find("g.client[data-client=app1]");
        assertThat(browser.find("section.vios").getText()).contains("Your role may not run commands on the VIOS");
        assertThat(browser.driver.findElements(By.cssSelector("g.vtd"))).isEmpty();
    }

    @Test
    void theSystemsUtilizationChartDrawsTheStoredSamples() {
        browser.login("victor", "viewer123");
        browser.open("#/systems");
        // the default pool's use now, in processing units (nothing runs), and the connected systems (none)
        browser.waitFor(d -> "0.00".equals(d.findElement(By.id("pool-used-0")).getDomAttribute("data-used")));
        assertThat(browser.find("#pool-used-0").getText()).isEqualTo("Used now: 0.00 units");
        assertThat(browser.find("#conns-none").getText()).startsWith("None");
        // samples every second: a reload after a few shows several points on each line
        browser.find("#sys-units-chart");
        browser.waitFor(d -> {
            var line = d.findElements(By.cssSelector("#sys-units-chart polyline.entitled"));
            if (!line.isEmpty() && points(line.getFirst()) >= 3) {
                return true;
            }
            new Select(d.findElement(By.id("sys-util-window"))).selectByValue("60"); // a new choice reloads
            return false;
        });
        String configurable = daemon.hmc("lshwres", "-r", "proc", "-m", "sys1", "--level", "sys", "-F",
                "configurable_sys_proc_units").stdout().strip();
        assertThat(Double.parseDouble(line("#sys-units-chart polyline.entitled").getDomAttribute("data-last")))
                .isEqualTo(Double.parseDouble(configurable));
        assertThat(Double.parseDouble(line("#sys-units-chart polyline.used").getDomAttribute("data-last")))
                .as("nothing runs: nothing assigned").isZero();
        assertThat(points(line("#sys-mem-chart polyline.used"))).isGreaterThanOrEqualTo(3);
        new Select(browser.find("#sys-util-window")).selectByValue("1440");
        browser.driver.executeScript("document.getElementById('sys-util-h').scrollIntoView()");
        browser.find("#sys-units-chart");
        browser.screenshot("systems-utilization");
    }

    /**
     * A second system's daemon connected with {@code mksysconn} is listed on the systems page by its
     * name, Connected; when that daemon stops, the open page turns it No Connection by itself (the
     * console checks its connections in the background, as the HMC does; the page reads lssysconn again).
     */
    @Test
    void aConnectedSystemIsConnectedThenNoConnectionOnTheOpenPageOnceItsDaemonStops() {
        RunningDaemon sys2 = RunningDaemon.startWithoutImages("system.name=sys2\n");
        String address = "127.0.0.1:" + sys2.port();
        try {
            assertThat(sys2.hmc("mkhmcusr", "-u", "hscroot", "-a", "hmcsuperadmin", "--passwd", "sys2pass1").exit())
                    .isZero();
            var made = daemon.hmc("mksysconn", "--ip", address, "-r", "sys", "-u", "hscroot", "--passwd", "sys2pass1");
            assertThat(made.exit()).as(made.stdout()).isZero();
            browser.login("victor", "viewer123");
            browser.open("#/systems");
            String row = "#sysconns tr[data-ip='" + address + "']";
            browser.waitFor(d -> d.findElement(By.cssSelector(row + " td:nth-child(3)")).getText().equals("Connected"));
            assertThat(browser.find(row + " td:nth-child(1)").getText()).isEqualTo("sys2");
            browser.driver.executeScript("window.marker = 'no reload'");
            sys2.daemon().stop();
            // the console's check (sysconn.check_seconds=1 here) sees it gone; the page reads lssysconn every 3 s
            new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, java.time.Duration.ofSeconds(30)).until(
                    d -> d.findElement(By.cssSelector(row + " td:nth-child(3)")).getText().equals("No Connection"));
            assertThat(browser.driver.executeScript("return window.marker")).isEqualTo("no reload");
            assertThat(browser.find(row + " td:nth-child(1)").getText()).as("the name it had").isEqualTo("sys2");
            assertThat(browser.find(row + " td:nth-child(3)").getDomAttribute("class")).isEqualTo("state-No_Connection");
        } finally {
            sys2.close();
            daemon.hmc("rmsysconn", "-o", "remove", "--ip", address);
        }
    }

    /** A chart's line (present, though Selenium may not count a thin SVG line as visible). */
    private static WebElement line(String css) {
        return browser.waitFor(d -> d.findElements(By.cssSelector(css)).stream().findFirst().orElse(null));
    }

    private static int points(WebElement line) {
        return Integer.parseInt(line.getDomAttribute("data-points"));
    }

    @Test
    void theCreateFormTakesAdaptersValidatedLiveThenCreatesThePartitionWithThem() {
        browser.login("olivia", "operator1");
        browser.open("#/create");
        browser.find("#f-name").sendKeys("made2");
        browser.find("#add-eth").click();
        browser.find("#f-virtual_eth_adapters-1-pvid").sendKeys("40");
        browser.find("#f-virtual_eth_adapters-1-vlans").sendKeys("41,42");
        browser.find("#add-scsi").click();
        browser.find("#f-virtual_scsi_adapters-1-vios").sendKeys("nosuchvios");
        // the server's rule, shown beside the adapters: the named VIOS does not exist
        browser.find("#f-virtual_scsi_adapters-1-rslot").sendKeys("2");
        browser.waitFor(d -> d.findElement(By.id("f-virtual_scsi_adapters-error")).getText().contains("nosuchvios"));
        assertThat(browser.find("#f-virtual_scsi_adapters-error").getText()).contains("nosuchvios");
        browser.screenshot("create-adapters-error");
        var vios = browser.find("#f-virtual_scsi_adapters-1-vios");
        vios.clear();
        vios.sendKeys("VIOS1");
        browser.waitFor(d -> d.findElement(By.id("f-virtual_scsi_adapters-error")).getText().isEmpty()
                && d.findElement(By.id("create-error")).getText().isEmpty());
        browser.find("#create-submit").click();
        browser.waitFor(d -> d.getCurrentUrl().endsWith("#/partition/made2"));
        String prof = daemon.hmc("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "lpar_names=made2", "-F",
                "virtual_eth_adapters,virtual_scsi_adapters").stdout();
        assertThat(prof).contains("2/1/40/").contains("41,42").contains("12/client/").contains("VIOS1/2/0");
        assertThat(browser.find("#adapters").getText()).contains("PVID 40").contains("VLANs 41,42").contains("VIOS VIOS1");
    }

    @Test
    void theAdapterDialogAndOsShutdownAreRefusedForAPartitionNotRunningWithNothingChanged() {
        String before = daemon.hmc("lshwres", "-r", "virtualio", "--rsubtype", "eth", "-m", "sys1", "--level", "lpar")
                .stdout();
        browser.login("olivia", "operator1");
        browser.open("#/partition/db1");
        browser.find("#current-adapters li[data-slot='3']");
        browser.find("#vio-open").click();
        assertThat(browser.find("#vio-pvid").isDisplayed()).isTrue();
        browser.find("#vio-vlans").sendKeys("50");
        browser.find("#vio-apply").click();
        browser.waitFor(d -> !d.findElement(By.id("vio-error")).getText().isEmpty());
        assertThat(browser.find("#vio-error").getText()).startsWith("HSCL130C").contains("db1");
        new Select(browser.find("#vio-kind")).selectByValue("scsi");
        assertThat(browser.find("#vio-remote").isDisplayed()).isTrue();
        assertThat(browser.driver.findElement(By.id("vio-pvid")).isDisplayed()).isFalse();
        browser.find("#vio-cancel").click();
        assertThat(daemon.hmc("lshwres", "-r", "virtualio", "--rsubtype", "eth", "-m", "sys1", "--level", "lpar")
                .stdout()).isEqualTo(before);

        // every stop asks first (work not saved is lost); cancelled, nothing is sent; confirmed, the HMC's refusal shows
        String events = daemon.api("GET", "/api/v1/events", null).body();
        for (String stop : List.of("shutdown", "shutdown-immed", "restart")) {
            browser.find("#" + stop).click();
            assertThat(browser.find("#confirm-" + stop).getText()).contains("db1").contains("not saved");
            browser.find("#" + stop + "-cancel").click();
        }
        assertThat(daemon.api("GET", "/api/v1/events", null).body()).isEqualTo(events);
        browser.find("#restart").click();
        browser.find("#restart-confirm").click();
        browser.waitFor(d -> d.findElement(By.id("action-message")).getText().startsWith("HSCL"));
        assertThat(daemon.api("GET", "/api/v1/events", null).body()).contains("chsysstate by olivia");
        events = daemon.api("GET", "/api/v1/events", null).body();
        browser.find("#osshutdown").click();
        browser.find("#osshutdown-cancel").click();
        assertThat(daemon.api("GET", "/api/v1/events", null).body()).isEqualTo(events);
        browser.find("#osshutdown").click();
        assertThat(browser.find("#confirm-osshutdown").getText()).contains("db1");
        browser.find("#osshutdown-confirm").click();
        browser.waitFor(d -> d.findElement(By.id("action-message")).getText().startsWith("HSCL"));
        assertThat(daemon.api("GET", "/api/v1/events", null).body()).contains("chsysstate by olivia");
        assertThat(daemon.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=db1", "-F", "state")
                .stdout().strip()).isEqualTo("Not Activated");
    }
}
