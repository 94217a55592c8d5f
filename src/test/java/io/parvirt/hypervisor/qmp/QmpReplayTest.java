package io.parvirt.hypervisor.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The QMP client and its commands against what QEMU 7.2 answered here, replayed. */
@Tag("unit")
class QmpReplayTest {
    @TempDir
    Path dir;
    FakeQmpPeer peer;
    QmpClient client;
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @AfterEach
    void close() throws Exception {
        if (client != null) {
            client.close();
        }
        peer.close();
    }

    private Qmp connect() throws Exception {
        peer = FakeQmpPeer.start(dir.resolve("qmp.sock"));
        client = QmpClient.connect(peer.socket(), e -> events.add(e.path("event").asText()));
        return new Qmp(client);
    }

    @Test
    void connectingNegotiatesCapabilitiesAfterTheGreeting() throws Exception {
        Qmp qmp = connect();
        assertThat(peer.commands()).containsExactly("qmp_capabilities");
        assertThat(qmp.status()).isEqualTo("prelaunch");
    }

    @Test
    void queryCpusFastGivesEachVcpusHostThread() throws Exception {
        assertThat(connect().vcpuThreadIds()).containsExactly(11051L);
    }

    @Test
    void theEventsQemuEmitsAroundACommandReachTheListener() throws Exception {
        Qmp qmp = connect();
        qmp.systemPowerdown();
        qmp.systemReset();
        qmp.quit();
        // Each event comes before the reply that follows it, so all have arrived once quit returns.
        assertThat(List.copyOf(events)).containsExactly("POWERDOWN", "RESET", "RESET", "RESET", "SHUTDOWN");
    }

    @Test
    void anInjectedEventIsDeliveredAsRecorded() throws Exception {
        connect();
        peer.emit("GUEST_PANICKED");
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("GUEST_PANICKED");
    }

    @Test
    void anErrorReplyIsAQmpExceptionWithItsClass() throws Exception {
        connect();
        assertThatThrownBy(() -> client.execute("no-such-command", null)).isInstanceOf(QmpException.class)
                .hasMessageContaining("has not been found")
                .satisfies(e -> assertThat(((QmpException) e).errorClass()).isEqualTo("CommandNotFound"));
        peer.failWith("system_reset", "GenericError", "reset refused");
        assertThatThrownBy(() -> new Qmp(client).systemReset()).hasMessageContaining("reset refused");
    }

    @Test
    void aSilentMonitorTimesOutInsteadOfHangingTheCaller() throws Exception {
        connect();
        peer.silence();
        assertThatThrownBy(() -> client.execute("query-status", null, Duration.ofMillis(300)))
                .isInstanceOf(QmpException.class)
                .satisfies(e -> assertThat(((QmpException) e).errorClass()).isEqualTo("Timeout"));
    }
}
