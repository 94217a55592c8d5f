package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.parvirt.hypervisor.qmp.Qmp;
import io.parvirt.hypervisor.qmp.QmpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every virtio-scsi controller runs in the partition's I/O thread (issue 17), the hot-plugged
 * ones too, in a real QEMU (paused before its firmware: no guest is needed to plug a controller):
 * one started from today's command line has the thread; one started by an earlier parvirt, whose
 * command line had none, gets it made when a controller is added by DLPAR.
 */
@Tag("daemon")
class ScsiIothreadTest {
    @TempDir
    Path dir;

    @Test
    void aControllerPluggedIntoTodaysQemuRunsInItsIothread() throws Exception {
        assertThat(plugController(false)).isEqualTo(List.of(QemuCommandLine.IOTHREAD_ID));
    }

    @Test
    void aQemuStartedWithoutTheIothreadGetsItWithItsFirstNewController() throws Exception {
        assertThat(plugController(true)).isEqualTo(List.of(QemuCommandLine.IOTHREAD_ID));
    }

    /** Starts QEMU ({@code earlier}: without the I/O thread), adds a controller in slot 3; QEMU's I/O threads after. */
    private List<String> plugController(boolean earlier) throws Exception {
        LaunchSpec before = new LaunchSpec("/usr/bin/qemu-system-x86_64", "iot", 1, UUID.randomUUID().toString(), 256,
                256, 1, 1, Accelerator.TCG, null, null, null, "", dir.resolve("run"), List.of(), List.of(), null, 256, 10,
                List.of(), null, null);
        Files.createDirectories(before.runDir());
        List<String> args = new ArrayList<>(QemuCommandLine.of(before));
        if (earlier) {
            int i = args.indexOf("iothread,id=" + QemuCommandLine.IOTHREAD_ID);
            args.subList(i - 1, i + 1).clear();
        }
        assertThat(args.contains("iothread,id=" + QemuCommandLine.IOTHREAD_ID)).isEqualTo(!earlier);
        args.add("-S");
        Process qemu = new ProcessBuilder(args).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu.log").toFile()).start();
        try {
            for (int i = 0; i < 200 && !Files.exists(before.qmpSocket()); i++) {
                Thread.sleep(50);
            }
            try (QmpClient client = QmpClient.connect(before.qmpSocket(), e -> { })) {
                Qmp qmp = new Qmp(client);
                assertThat(qmp.iothreads()).hasSize(earlier ? 0 : 1);
                LaunchSpec after = before.withScsi(List.of(new LaunchSpec.ScsiClient(3, 2, 2)), List.of());
                new AdapterHotplug(before, qmp, (id, deadline) -> true).apply(before, after,
                        System.nanoTime() + 10_000_000_000L);
                String link = client.execute("qom-get", JsonNodeFactory.instance.objectNode()
                        .put("path", "/machine/peripheral/" + LaunchSpec.ScsiClient.controllerId(3))
                        .put("property", "iothread")).asText();
                assertThat(link).as("the controller's iothread link").isEqualTo("/objects/" + QemuCommandLine.IOTHREAD_ID);
                return qmp.iothreads();
            }
        } finally {
            qemu.destroyForcibly().waitFor();
        }
    }
}
