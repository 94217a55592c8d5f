package io.parvirt.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.home.ParvirtHome;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 18: {@code dispatch.watch_ms}, the throttle counts' watch between intervals: 20 ms, 0 to turn it off. */
@Tag("unit")
class DispatchWatchSettingTest {
    private static Duration watch(String value) {
        Properties p = new Properties();
        if (value != null) {
            p.setProperty("dispatch.watch_ms", value);
        }
        return new DaemonConfig(p, new InetSocketAddress("127.0.0.1", 0)).dispatch(new ParvirtHome(Path.of("/tmp/h")))
                .watch();
    }

    @Test
    void twentyMillisecondsUnlessSetAndZeroIsOff() {
        assertThat(watch(null)).isEqualTo(Duration.ofMillis(20));
        assertThat(watch("0")).isEqualTo(Duration.ZERO);
        assertThat(watch("50")).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void aWatchNotShorterThanTheIntervalIsRefusedNamingBothSettings() {
        for (String bad : new String[] {"3", "100", "250", "-1"}) {
            assertThatThrownBy(() -> watch(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("dispatch.watch_ms must be 0 (off) or from 5 to less than dispatch.interval_ms (100), not "
                            + bad);
        }
    }
}
