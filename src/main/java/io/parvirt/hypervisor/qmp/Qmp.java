package io.parvirt.hypervisor.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The QMP commands parvirt uses, one method each. */
public final class Qmp {
    private final QmpClient client;

    public Qmp(QmpClient client) {
        this.client = client;
    }

    /** ACPI power button. */
    public void systemPowerdown() throws IOException {
        client.execute("system_powerdown", null);
    }

    public void systemReset() throws IOException {
        client.execute("system_reset", null);
    }

    /** {@code quit}: QEMU ends at once. Its answer is brief: whoever quits does not wait long for it. */
    public void quit() throws IOException {
        client.execute("quit", null, QUIT_ANSWER);
    }

    private static final Duration QUIT_ANSWER = Duration.ofSeconds(5);

    /** {@code query-status}: the VM's run state ({@code running}, {@code paused}, {@code prelaunch}...). */
    public String status() throws IOException {
        return client.execute("query-status", null).path("status").asText();
    }

    /** {@code query-cpus-fast}: the host thread id of each vCPU. */
    public List<Long> vcpuThreadIds() throws IOException {
        List<Long> ids = new ArrayList<>();
        for (JsonNode c : client.execute("query-cpus-fast", null)) {
            ids.add(c.path("thread-id").asLong());
        }
        return ids;
    }
}
