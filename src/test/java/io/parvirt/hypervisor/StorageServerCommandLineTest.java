package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Golden file: a VIOS's launch spec gives exactly this storage server command line. */
@Tag("unit")
class StorageServerCommandLineTest {

    @Test
    void aViosRunsTheStorageServerSizedFromItsMemory() throws Exception {
        LaunchSpec spec;
        try (InputStream in = getClass().getResourceAsStream("/qemu/vios-storage-server.json")) {
            spec = new ObjectMapper().readValue(in, LaunchSpec.class);
        }
        List<String> expected;
        try (InputStream in = getClass().getResourceAsStream("/qemu/vios-storage-server.args")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        assertThat(spec.runsStorageServer()).isTrue();
        assertThat(spec.pidFile().getFileName().toString()).isEqualTo("storage.pid");
        assertThat(StorageServerProcess.commandLine(spec)).containsExactlyElementsOf(expected);
    }
}
