package io.parvirt.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.it.RunningDaemon;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Issue 16: a real partition (QEMU, the default image) activated, shut down and deleted from the
 * browser; each state arrives on the open page through the feed, without a reload.
 */
@Tag("guest")
class WebActivationGuestTest {
    @Test
    void activateFromTheBrowserSeeRunningLiveThenShutDownAndDelete() {
        try (RunningDaemon daemon = RunningDaemon.start("accel=auto\n"); Browser browser = new Browser(daemon.port())) {
            assertThat(daemon.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=lp1,profile_name=default,"
                    + "lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=512,proc_mode=shared,min_proc_units=0.1,"
                    + "desired_proc_units=0.1,max_proc_units=2.0,min_procs=1,desired_procs=1,max_procs=4,"
                    + "sharing_mode=uncap,uncap_weight=128").exit()).isZero();
            assertThat(daemon.hmc("mkhmcusr", "-u", "olivia", "-a", "hmcoperator", "--passwd", "operator1").exit())
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

            // the serial console in the page, over the WebSocket: type a command, read its answer
            browser.find("#open-console").click();
            browser.waitFor(d -> d.findElement(By.id("console-status")).getText().startsWith("Connected"));
            var console = browser.find("#console-out");
            console.sendKeys(org.openqa.selenium.Keys.ENTER);
            console.sendKeys("uname -a" + org.openqa.selenium.Keys.ENTER);
            new WebDriverWait(browser.driver, Duration.ofSeconds(30)).until(d -> d.findElement(By.id("console-out"))
                    .getText().contains("Linux"));
            browser.screenshot("console");

            browser.find("#shutdown-immed").click();
            new WebDriverWait(browser.driver, Duration.ofSeconds(60)).until(d -> d.findElement(By.id("lpar-state"))
                    .getText().equals("Not Activated"));
            browser.find("#delete").click();
            browser.find("#delete-confirm").click();
            browser.waitFor(d -> d.getCurrentUrl().endsWith("#/partitions"));
            assertThat(daemon.api("GET", "/api/v1/partitions/lp1", null).statusCode()).isEqualTo(404);
        }
    }
}
