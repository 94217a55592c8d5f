package io.parvirt.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: the web console's idle timeout is a daemon setting ({@code web.idle_timeout_minutes});
 * a value out of range or not a number is refused with a sentence naming the setting and its range
 * (the daemon reads it at start, so it stops there). The value reaching a login is checked by
 * WebConsoleBrowserTest.
 */
@Tag("unit")
class WebIdleTimeoutSettingTest {
    static DaemonConfig config(String value) {
        Properties p = new Properties();
        if (value != null) {
            p.setProperty("web.idle_timeout_minutes", value);
        }
        return new DaemonConfig(p, new InetSocketAddress("127.0.0.1", 0));
    }

    @Test
    void thirtyMinutesUnlessSetAndWithinADay() {
        assertThat(config(null).webIdleTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config(" 5 ").webIdleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config("1440").webIdleTimeout()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void anythingElseIsRefusedNamingTheSettingAndItsRange() {
        for (String bad : new String[] {"0", "-3", "1441", "ten", "1.5", ""}) {
            assertThatThrownBy(() -> config(bad).webIdleTimeout()).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("web.idle_timeout_minutes must be a whole number of minutes, 1..1440 (a day), not " + bad);
        }
    }
}
