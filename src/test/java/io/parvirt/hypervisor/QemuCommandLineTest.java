package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Golden files: each {@code qemu/<case>.json} launch spec gives exactly {@code qemu/<case>.args}. */
@Tag("unit")
class QemuCommandLineTest {

    @ParameterizedTest
    @ValueSource(strings = {"shared-tcg", "dedicated-kvm-memhotplug-disk", "vios-trunk", "client-vscsi"})
    void theCommandLineIsAPureFunctionOfTheLaunchSpec(String name) throws Exception {
        LaunchSpec spec;
        try (InputStream in = getClass().getResourceAsStream("/qemu/" + name + ".json")) {
            spec = new ObjectMapper().readValue(in, LaunchSpec.class);
        }
        List<String> expected;
        try (InputStream in = getClass().getResourceAsStream("/qemu/" + name + ".args")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        assertThat(QemuCommandLine.of(spec)).containsExactlyElementsOf(expected);
        assertThat(QemuCommandLine.of(spec)).isEqualTo(QemuCommandLine.of(spec));
    }
}
