package io.parvirt.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Test sources stay readable: none over 800 lines (split by behaviour, share set-up through rigs). */
@Tag("unit")
class TestFileSizeTest {
    static final int MAX_LINES = 800;

    @Test
    void noTestSourceIsOver800Lines() throws IOException {
        List<String> tooLong = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                long lines = Files.readAllLines(f).size();
                if (lines > MAX_LINES) {
                    tooLong.add(f + ": " + lines + " lines");
                }
            }
        }
        assertThat(tooLong).as("test sources over %d lines", MAX_LINES).isEmpty();
    }
}
