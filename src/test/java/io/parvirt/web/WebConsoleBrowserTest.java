package io.parvirt.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.it.RunningDaemon;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.support.ui.Select;

/**
 * Issue 16: the web console in a real Chromium against a real daemon: login and logout, a viewer
 * who cannot act, the create form validated live, and a change made elsewhere (the CLI) arriving in
 * the open table without a reload. Each page is photographed into docs/screenshots/.
 */
@Tag("daemon")
class WebConsoleBrowserTest {
    @RegisterExtension
    static final BrowserFixture WEB = new BrowserFixture("web.idle_timeout_minutes=45\n");
    static RunningDaemon daemon;
    static Browser browser;

    @BeforeAll
    static void start() {
        daemon = WEB.daemon;
        browser = WEB.browser;
        assertThat(daemon.hmc("mkhmcusr", "-u", "olivia", "-a", "hmcoperator", "--passwd", "operator1").exit()).isZero();
        assertThat(daemon.hmc("mkhmcusr", "-u", "victor", "-a", "hmcviewer", "--passwd", "viewer123").exit()).isZero();
        var web1 = daemon.api("POST", "/api/v1/partitions", "{" + lpar("web1").replaceAll("(\\w+)=([^,]+)",
                "\"$1\":\"$2\"") + ",\"virtual_eth_adapters\":[\"2/0/1//0/0\",\"3/1/10/20,30/0/1\"]}");
        assertThat(web1.statusCode()).as(web1.body()).isEqualTo(201);
        assertThat(daemon.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", lpar("db1")).exit()).isZero();
    }

    static String lpar(String name) {
        return "name=" + name + ",profile_name=default,lpar_env=aixlinux,min_mem=512,desired_mem=1024,max_mem=2048,"
                + "proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.5,max_proc_units=1.0,min_procs=1,"
                + "desired_procs=1,max_procs=2,sharing_mode=uncap,uncap_weight=128";
    }

    @Test
    void aWrongPasswordIsRefusedAndLoginGivesAStrictHttpOnlyCookieThatLogoutEnds() {
        browser.open("");
        browser.find("#login-user").sendKeys("olivia");
        browser.find("#login-password").sendKeys("wrong-one");
        browser.screenshot("login");
        browser.find("#login-form button[type=submit]").click();
        browser.waitFor(d -> !d.findElement(By.id("login-error")).getText().isEmpty());
        assertThat(browser.find("#login-error").getText()).contains("not correct");

        browser.login("olivia", "operator1");
        assertThat(browser.find("#who-role").getText()).contains("hmcoperator");
        // the daemon's web.idle_timeout_minutes setting is the login's idle timeout
        assertThat(browser.driver.executeAsyncScript("const done = arguments[0]; fetch('/api/v1/session')"
                + ".then(r => r.json()).then(s => done(s.idle_seconds))")).isEqualTo(2700L);
        Cookie c = browser.driver.manage().getCookieNamed("parvirt_session");
        assertThat(c.isHttpOnly()).isTrue();
        assertThat(c.getSameSite()).isEqualTo("Strict");
        assertThat(browser.driver.executeScript("return document.cookie")).as("page scripts cannot read it")
                .isEqualTo("");

        browser.logout();
        // the old session is dead on the server too, not only forgotten by the browser
        assertThat(daemon.request("GET", "/api/v1/session", null, null).statusCode()).isEqualTo(401);
        var r = java.net.http.HttpClient.newHttpClient();
        assertThat(status(r, "GET", "/api/v1/partitions", c.getValue(), null)).isEqualTo(401);
    }

    @Test
    void aLoginEndedElsewhereTakesTheOpenPageBackToTheLoginFormByItself() throws Exception {
        browser.login("olivia", "operator1");
        browser.open("#/partitions");
        browser.find("tr[data-name=web1]");
        browser.driver.executeScript("window.marker = 'no reload'");
        // the same login ended from another tab (its cookie and token, as that tab would send them)
        String id = browser.driver.manage().getCookieNamed("parvirt_session").getValue();
        var http = java.net.http.HttpClient.newHttpClient();
        var who = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(browser.base + "/api/v1/session"))
                .header("Cookie", "parvirt_session=" + id).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        String csrf = who.body().replaceAll(".*\"csrf\":\"([^\"]+)\".*", "$1");
        // a stream of the same login, read here: the server must end it, not only refuse what comes next
        var snapshot = new java.util.concurrent.CompletableFuture<Void>();
        var ended = new java.util.concurrent.CompletableFuture<Void>();
        http.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(browser.base + "/api/v1/feed"))
                .header("Cookie", "parvirt_session=" + id).header("Accept", "text/event-stream").build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines())
                .thenAccept(r -> Thread.ofVirtual().start(() -> {
                    r.body().filter(line -> line.contains("snapshot")).forEach(line -> snapshot.complete(null));
                    ended.complete(null);
                }));
        snapshot.get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(status(http, "DELETE", "/api/v1/session", id, csrf)).isEqualTo(204);
        ended.get(15, java.util.concurrent.TimeUnit.SECONDS);
        // nobody touches this page: its feed is ended by the server and the page asks for a login
        browser.waitFor(d -> d.findElement(By.id("login")).isDisplayed());
        assertThat(browser.find("#login-error").getText()).contains("session has ended");
        assertThat(browser.driver.findElements(By.cssSelector("#partitions tbody tr"))).isEmpty();
        assertThat(browser.driver.executeScript("return window.marker")).isEqualTo("no reload");
    }

    /**
     * Accessibility basics the issue names, checked in the browser on every page: each field has a
     * label and each button or link a name, text contrast is WCAG AA (4.5:1, 3:1 for large text)
     * against the background it is drawn on, nothing makes the page scroll sideways at phone width,
     * and the keyboard reaches and works the table (skip link first, sort by Enter, focus visible).
     */
    @Test
    void everyPageHasLabelsNamesAndContrastFitsAPhoneAndTheTableWorksByKeyboard() {
        browser.login("olivia", "operator1");
        List<String> pages = List.of("#/systems", "#/partitions", "#/partition/web1", "#/create", "#/events",
                "#/network", "#/vios");
        for (int width : new int[] {1280, 390}) {
            browser.size(width, width == 1280 ? 800 : 844);
            for (String page : pages) {
                browser.open(page);
                browser.find("#page h1");
                if (page.equals("#/partitions")) {
                    browser.find("tr[data-name=web1]");
                    assertThat(clipped(browser)).as("the table's fixed columns at " + width + " px").isEmpty();
                }
                @SuppressWarnings("unchecked")
                List<String> problems = (List<String>) browser.driver.executeScript(AUDIT);
                assertThat(problems).as(page + " at " + width + " px").isEmpty();
            }
        }
        browser.size(1280, 800);
        browser.open("#/partitions");
        browser.driver.navigate().refresh(); // a fresh document: the keyboard starts at its top
        browser.find("tr[data-name=db1]");
        var keys = new org.openqa.selenium.interactions.Actions(browser.driver);
        keys.sendKeys(org.openqa.selenium.Keys.TAB).perform();
        assertThat(browser.driver.executeScript("return document.activeElement.textContent"))
                .isEqualTo("Skip to content");
        boolean reached = false;
        for (int i = 0; i < 30 && !reached; i++) {
            keys.sendKeys(org.openqa.selenium.Keys.TAB).perform();
            reached = Boolean.TRUE.equals(browser.driver.executeScript(
                    "return document.activeElement.matches('th[data-key=name] button')"));
        }
        assertThat(reached).as("the name column's sort button is reached by Tab").isTrue();
        assertThat(browser.driver.executeScript("return getComputedStyle(document.activeElement).outlineStyle"))
                .as("the focus is drawn").isEqualTo("solid");
        keys.sendKeys(org.openqa.selenium.Keys.ENTER).perform();
        browser.waitFor(d -> "ascending".equals(d.findElement(By.cssSelector("th[data-key=name]"))
                .getDomAttribute("aria-sort")));
        assertThat(names()).isSorted();
    }

    /**
     * The partitions table's cells whose content does not fit (at desktop widths its columns are
     * fixed: a value wider than its column would be cut).
     */
    @SuppressWarnings("unchecked")
    static List<String> clipped(Browser browser) {
        return (List<String>) browser.driver.executeScript("return [...document.querySelectorAll('#partitions th, "
                + "#partitions td')].filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent)");
    }

    /** The in-page audit: a list of problems, empty when the page passes. */
    static final String AUDIT = """
            const problems = [];
            const shown = e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
              return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !e.closest('.sr-only'); };
            for (const e of document.querySelectorAll('input, select, textarea')) {
              if (e.type === 'hidden' || !shown(e)) continue;
              if (!(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
                problems.push('no label: ' + (e.id || e.outerHTML.slice(0, 80)));
            }
            for (const b of document.querySelectorAll('button, a[href]')) {
              if (shown(b) && !(b.textContent.trim() || b.getAttribute('aria-label')))
                problems.push('no name: ' + b.outerHTML.slice(0, 80));
            }
            const rgba = c => { const m = (c.match(/[\\d.]+/g) || [0, 0, 0, 0]).map(Number); return m.length === 3 ? [...m, 1] : m; };
            const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
              return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
            const background = e => { for (; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor);
              if (c[3] > 0) return c; } return [255, 255, 255, 1]; };
            const seen = new Set();
            const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let n = walk.nextNode(); n; n = walk.nextNode()) {
              const e = n.parentElement;
              if (!n.textContent.trim() || seen.has(e) || e.closest('svg, .console, [hidden], button:disabled, dialog:not([open])')
                  || !shown(e)) continue;
              seen.add(e);
              const s = getComputedStyle(e), fg = rgba(s.color), bg = background(e);
              const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
              const ratio = (hi + 0.05) / (lo + 0.05);
              const size = parseFloat(s.fontSize), large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
              if (ratio < (large ? 3 : 4.5)) problems.push('contrast ' + ratio.toFixed(2) + ': ' + n.textContent.trim().slice(0, 40));
            }
            if (document.documentElement.scrollWidth > window.innerWidth + 1)
              problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' px in ' + window.innerWidth);
            return problems;
            """;

    @Test
    void aViewerSeesButCannotActAndTheServerRefusesHimAnyway() {
        browser.login("victor", "viewer123");
        browser.open("#/partition/web1");
        assertThat(browser.find("#lpar-state").getText()).isEqualTo("Not Activated");
        assertThat(browser.find("#activate").isEnabled()).isFalse();
        assertThat(browser.find("#delete").isEnabled()).isFalse();
        assertThat(browser.find("#open-console").isEnabled()).as("a viewer sees no console").isFalse();
        assertThat(browser.find("#read-only-note").getText()).contains("hmcviewer");
        assertThat(browser.driver.findElement(By.id("nav-create")).isDisplayed()).isFalse();
        // a viewer who forges the request from his own page (session cookie and CSRF token) is refused
        Object answer = browser.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/api/v1/session').then(r => r.json()).then(s => fetch('/api/v1/partitions/web1',
                    {method: 'DELETE', headers: {'X-Parvirt-CSRF': s.csrf}})).then(r => done(r.status));
                """);
        assertThat(answer).isEqualTo(403L);
        assertThat(daemon.api("GET", "/api/v1/partitions/web1", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aChangeWithoutTheSessionsCsrfTokenIsRefused() {
        browser.login("olivia", "operator1");
        Object answer = browser.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/api/v1/partitions/db1', {method: 'DELETE'}).then(r => done(r.status));
                """);
        assertThat(answer).isEqualTo(403L);
        assertThat(daemon.api("GET", "/api/v1/partitions/db1", null).statusCode()).isEqualTo(200);
    }

    @Test
    void theCreateFormShowsTheHsclMessageNextToTheFieldThenCreatesOnceFixed() {
        browser.login("olivia", "operator1");
        browser.open("#/create");
        browser.find("#f-name").sendKeys("made1");
        var desired = browser.find("#f-desired_mem");
        desired.clear();
        desired.sendKeys("256");
        browser.waitFor(d -> d.findElement(By.id("f-min_mem-error")).getText().contains("HSCL"));
        assertThat(browser.find("#f-min_mem-error").getText()).contains("min_mem").contains("desired_mem");
        assertThat(browser.find("#f-min_mem").getAttribute("aria-invalid")).isEqualTo("true");
        browser.screenshot("create-error");
        assertThat(daemon.api("GET", "/api/v1/partitions/made1", null).statusCode()).as("nothing stored")
                .isEqualTo(404);

        desired.clear();
        desired.sendKeys("1024");
        browser.waitFor(d -> d.findElement(By.id("f-min_mem-error")).getText().isEmpty());
        browser.screenshot("create");
        browser.find("#create-submit").click();
        browser.waitFor(d -> d.getCurrentUrl().endsWith("#/partition/made1"));
        assertThat(browser.find("#lpar-state").getText()).isEqualTo("Not Activated");
        assertThat(daemon.api("GET", "/api/v1/partitions/made1", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aPartitionMadeAndRemovedByTheCliAppearsAndGoesWithoutReload() {
        browser.login("olivia", "operator1");
        browser.open("#/partitions");
        browser.find("tr[data-name=web1]");
        browser.driver.executeScript("""
                window.seen = {};
                new MutationObserver(() => {
                  for (const n of ['live1']) if (!window.seen[n] && document.querySelector('tr[data-name=' + n + ']'))
                    window.seen[n] = Date.now();
                }).observe(document.getElementById('partitions'), {childList: true, subtree: true});
                """);
        browser.driver.executeScript("window.marker = 'no reload'");
        // a pushed change redraws only the rows it names: the other rows stay the very same elements
        browser.driver.executeScript("for (const n of ['web1', 'db1']) document.querySelector('tr[data-name=' + n + ']')"
                + ".kept = true");
        assertThat(daemon.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", lpar("live1")).exit()).isZero();
        long made = System.currentTimeMillis();
        browser.find("tr[data-name=live1]");
        long seen = ((Number) browser.driver.executeScript("return window.seen.live1")).longValue();
        System.out.println("web: a partition made by the CLI reached the open table " + (seen - made) + " ms later");
        assertThat(browser.driver.executeScript("return window.marker")).isEqualTo("no reload");
        browser.screenshot("partitions");
        assertThat(browser.driver.executeScript("return ['web1', 'db1'].every(n => document.querySelector("
                + "'tr[data-name=' + n + ']').kept)")).as("rows not changed are not redrawn").isEqualTo(true);
        assertThat(daemon.hmc("chsyscfg", "-r", "prof", "-m", "sys1", "-i", "name=default,lpar_name=db1,desired_mem=768")
                .exit()).isZero();
        browser.waitFor(d -> d.findElement(By.cssSelector("tr[data-name=db1] td:nth-child(8)")).getText().equals("768"));
        assertThat(browser.driver.executeScript("return [document.querySelector('tr[data-name=web1]').kept, "
                + "document.querySelector('tr[data-name=db1]').kept === undefined]")).as("only db1's row is new")
                .isEqualTo(List.of(true, true));
        assertThat(daemon.hmc("chsyscfg", "-r", "prof", "-m", "sys1", "-i", "name=default,lpar_name=db1,desired_mem=1024")
                .exit()).isZero();

        assertThat(daemon.hmc("rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "live1").exit()).isZero();
        browser.waitFor(d -> d.findElements(By.cssSelector("tr[data-name=live1]")).isEmpty());
        assertThat(names()).as("still in ID order after the changes").isEqualTo(names().stream().sorted(
                java.util.Comparator.comparing(n -> Integer.parseInt(browser.find("tr[data-name=" + n + "] td:nth-child(2)")
                        .getText()))).toList());
        assertThat(browser.driver.executeScript("return window.marker")).isEqualTo("no reload");
    }

    @Test
    void theTableSortsAndFilters() {
        browser.login("olivia", "operator1");
        browser.open("#/partitions");
        browser.find("tr[data-name=db1]");
        browser.find("th[data-key=name] button").click();
        assertThat(names()).isSorted();
        browser.find("th[data-key=name] button").click();
        assertThat(names()).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        browser.find("#partition-filter").sendKeys("web");
        browser.waitFor(d -> names().equals(List.of("web1")));
    }

    private static List<String> names() {
        return browser.driver.findElements(By.cssSelector("#partitions tbody tr")).stream()
                .map(e -> e.getAttribute("data-name")).toList();
    }

    @Test
    void pagesForScreenshotsAtDesktopAndPhoneWidth() {
        browser.login("olivia", "operator1");
        browser.open("#/systems");
        browser.find(".meter .bar");
        assertThat(browser.find("#sys-name").getText()).isEqualTo("sys1");
        // bars are drawn to scale: nothing assigned draws an empty bar, firmware memory a small one
        var fills = browser.driver.findElements(By.cssSelector(".meter .bar span"));
        assertThat(fills.getFirst().getSize().getWidth()).as("0 of 2 units").isZero();
        assertThat(fills.getLast().getSize().getWidth()).as("firmware memory")
                .isBetween(1, browser.find(".meter .bar").getSize().getWidth() / 4);
        browser.screenshot("systems");
        browser.open("#/partition/web1");
        assertThat(browser.find("#adapters").getText()).contains("PVID 10").contains("VLANs 20,30");
        new Select(browser.find("#activate-profile")).selectByValue("default");
        assertThat(browser.find("#activate").isEnabled()).isTrue();
        browser.screenshot("partition");
        browser.size(390, 844);
        browser.open("#/partitions");
        browser.find("tr[data-name=web1]");
        browser.screenshot("partitions-phone");
    }

    @Test
    void theDlparDialogSendsChhwresAndShowsItsRefusalWithNothingChanged() {
        String before = daemon.hmc("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "lpar_names=web1").stdout();
        browser.login("olivia", "operator1");
        browser.open("#/partition/web1");
        browser.find("#dlpar-open").click();
        new Select(browser.find("#dlpar-resource")).selectByValue("mem");
        assertThat(browser.find("#dlpar-amount").getDomProperty("value")).isEqualTo("256");
        browser.find("#dlpar-apply").click();
        // web1 is not running: DLPAR is refused by the same rules as chhwres on the command line
        browser.waitFor(d -> !d.findElement(By.id("dlpar-error")).getText().isEmpty());
        assertThat(browser.find("#dlpar-error").getText()).startsWith("HSCL").contains("web1");
        browser.screenshot("dlpar-refused");
        assertThat(daemon.hmc("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "lpar_names=web1").stdout())
                .isEqualTo(before);
        assertThat(daemon.api("GET", "/api/v1/events", null).body()).contains("chhwres by olivia from");
        browser.find("#dlpar-cancel").click();
    }

    @Test
    void theEventsPageListsTheAuditTrailFilteredByCategoryAndTextAndTakesNewEventsLive() {
        browser.login("victor", "viewer123");
        browser.open("#/events");
        browser.waitFor(d -> d.findElement(By.id("events-table")).getText().contains("mksyscfg by"));
        new Select(browser.find("#event-category")).selectByValue("audit");
        assertThat(browser.driver.findElements(By.cssSelector("#events-table tbody tr")).stream()
                .map(e -> e.getDomAttribute("data-category")).distinct().toList()).containsExactly("audit");
        new Select(browser.find("#event-category")).selectByValue("");
        browser.find("#event-filter").sendKeys("evt1");
        assertThat(browser.find("#event-count").getText()).startsWith("0 of");
        // a change made elsewhere: the page reloads the log when the feed reports it, no reload by hand
        assertThat(daemon.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", lpar("evt1")).exit()).isZero();
        browser.waitFor(d -> d.findElement(By.id("events-table")).getText().contains("Partition evt1 (id"));
        browser.screenshot("events");
        assertThat(daemon.hmc("rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "evt1").exit()).isZero();
    }

    private static int status(java.net.http.HttpClient http, String method, String path, String session, String csrf) {
        var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + daemon.port() + path))
                .method(method, java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Cookie", "parvirt_session=" + session);
        if (csrf != null) {
            b.header("X-Parvirt-CSRF", csrf);
        }
        try {
            return http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

}
