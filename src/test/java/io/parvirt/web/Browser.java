package io.parvirt.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium driven by Debian's chromedriver (no browser is downloaded: both paths are
 * given, so Selenium Manager has nothing to fetch), headless, with a fresh profile each time.
 */
final class Browser implements AutoCloseable {
    static final Path SCREENSHOTS = Path.of("docs/screenshots");
    final ChromeDriver driver;
    final String base;
    private final Path profile;

    Browser(int port) {
        this.base = "http://127.0.0.1:" + port;
        if (!Files.isExecutable(Path.of("/usr/bin/chromium")) || !Files.isExecutable(Path.of("/usr/bin/chromedriver"))) {
            throw new IllegalStateException("the browser tests need Debian's chromium and chromium-driver: ./test "
                    + "installs them as root, or apt-get install chromium chromium-driver");
        }
        try {
            profile = Files.createTempDirectory("parvirt-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        o.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, o);
        size(1280, 800);
    }

    void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    void open(String hash) {
        driver.get(base + "/" + hash);
    }

    WebElement find(String css) {
        return waitFor(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    <T> T waitFor(java.util.function.Function<WebDriver, T> condition) {
        try {
            // a live page redraws its rows at every feed event: an element read as it is replaced is asked again
            return new WebDriverWait(driver, Duration.ofSeconds(10))
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition::apply);
        } catch (org.openqa.selenium.TimeoutException e) {
            // what the page showed and what its scripts said: a failure here is otherwise a bare timeout
            StringBuilder log = new StringBuilder();
            driver.manage().logs().get("browser").forEach(l -> log.append(l).append('\n'));
            String page = driver.getPageSource();
            throw new AssertionError("timed out at " + driver.getCurrentUrl() + "\nbrowser log:\n" + log + "page:\n"
                    + page.substring(0, Math.min(page.length(), 4000)), e);
        }
    }

    void login(String user, String password) {
        open("");
        find("#login-user").clear();
        find("#login-user").sendKeys(user);
        find("#login-password").sendKeys(password);
        find("#login-form button[type=submit]").click();
        find("#who-name");
    }

    void logout() {
        find("#logout").click();
        find("#login-form");
    }

    /** What the console's terminal (xterm.js) holds: scrollback and screen, one line each. */
    String terminal() {
        Object text = driver.executeScript("""
                const t = window.parvirtTerm; if (!t) return '';
                const b = t.buffer.active; const lines = [];
                for (let i = 0; i < b.length; i++) lines.push(b.getLine(i).translateToString(true));
                return lines.join('\\n');""");
        return text == null ? "" : text.toString();
    }

    /** Types into the console's terminal as a person would: it takes the focus, then the keys. */
    void typeInTerminal(CharSequence... keys) {
        driver.executeScript("window.parvirtTerm.focus()");
        new org.openqa.selenium.interactions.Actions(driver).sendKeys(keys).perform();
    }

    /** A screenshot of the page as it is now, into docs/screenshots/ (committed and shown in the README). */
    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary profile left behind is harmless
        }
    }
}
