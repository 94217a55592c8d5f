package io.parvirt.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The codec alone, in memory: bytes in, lines out. */
@Tag("unit")
class LineDecoderTest {
    private final List<String> lines = new ArrayList<>();
    private final LineDecoder decoder = new LineDecoder((b, n) -> lines.add(new String(b, 0, n,
            StandardCharsets.UTF_8)));

    private void feed(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        decoder.feed(b, 0, b.length);
    }

    @Test
    void aLineSplitAcrossReadsComesOutWholeWithoutItsCrLf() {
        feed("Kernel pa");
        feed("nic - not syncing\r");
        assertThat(lines).isEmpty();
        feed("\nparvirt: ready\r\npart");
        assertThat(lines).containsExactly("Kernel panic - not syncing", "parvirt: ready");
    }

    @Test
    void emptyLinesAndBareLfAreLines() {
        feed("\r\n\nx\n");
        assertThat(lines).containsExactly("", "", "x");
    }

    @Test
    void anEndlessLineComesOutInPiecesOfTheMaximumLength() {
        feed("a".repeat(LineDecoder.MAX_LINE * 2 + 5) + "\n");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).hasSize(LineDecoder.MAX_LINE);
        assertThat(lines.get(2)).isEqualTo("aaaaa");
    }

    @Test
    void utf8IsDecoded() {
        feed("Grüße\n");
        assertThat(lines).containsExactly("Grüße");
    }
}
