package io.parvirt.web;

import io.parvirt.it.RunningDaemon;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The daemon-tier browser tests' shared set-up: one daemon without images (nothing is activated)
 * and one Chromium on it, started before the class's own {@code @BeforeAll}; after each test a
 * 1280×800 window without cookies (no test inherits another's login); after the class the browser
 * closed, then the daemon, even if one of them fails. Registered with {@code @RegisterExtension}.
 */
final class BrowserFixture implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    private final String extraConfig;
    RunningDaemon daemon;
    Browser browser;

    /** {@code extraConfig}: lines for the daemon's parvirt.properties. */
    BrowserFixture(String extraConfig) {
        this.extraConfig = extraConfig;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        daemon = RunningDaemon.startWithoutImages(extraConfig);
        browser = new Browser(daemon.port());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        browser.size(1280, 800);
        browser.driver.manage().deleteAllCookies();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (daemon != null) {
                daemon.close();
            }
        }
    }
}
