package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exports file the host daemon writes and the VIOS's server reads. */
@Tag("unit")
class ExportsFileTest {
    @TempDir
    Path tmp;

    @Test
    void whatIsWrittenIsReadBackInOrder() throws IOException {
        Path f = tmp.resolve("exports.json");
        List<Export> exports = List.of(new Export("vtscsi0", Path.of("/pool/a.img"), false),
                new Export("vtopt0", Path.of("/repo/install.iso"), true));
        ExportsFile.write(f, exports);
        assertThat(ExportsFile.read(f)).isEqualTo(exports);
        ExportsFile.write(f, List.of());
        assertThat(ExportsFile.read(f)).isEmpty();
    }

    @Test
    void theFileHasTheShapeTheDaemonAndServerAgreeOn() throws IOException {
        Path f = tmp.resolve("exports.json");
        ExportsFile.write(f, List.of(new Export("vtscsi0", Path.of("/pool/a.img"), false)));
        JsonNode root = new ObjectMapper().readTree(f.toFile());
        assertThat(root.size()).isEqualTo(1);
        JsonNode e = root.get("exports").get(0);
        assertThat(e.get("name").textValue()).isEqualTo("vtscsi0");
        assertThat(e.get("file").textValue()).isEqualTo("/pool/a.img");
        assertThat(e.get("readOnly").isBoolean()).isTrue();
        assertThat(e.get("readOnly").booleanValue()).isFalse();

        Files.writeString(f, """
                {"exports":[{"name":"vtopt0","file":"/repo/x.iso","readOnly":true,"client":3}],"version":1}
                """);
        assertThat(ExportsFile.read(f)).as("fields it does not know are ignored")
                .containsExactly(new Export("vtopt0", Path.of("/repo/x.iso"), true));
    }

    @Test
    void aWriteReplacesTheFileWholeAndLeavesNoTemporaryFile() throws IOException {
        Path f = tmp.resolve("exports.json");
        Files.writeString(f, "old");
        ExportsFile.write(f, List.of(new Export("a", Path.of("/a"), false)));
        assertThat(ExportsFile.read(f)).containsExactly(new Export("a", Path.of("/a"), false));
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.toList()).containsExactly(f);
        }
    }

    @Test
    void aNameGivenTwiceIsNotWritten() {
        Path f = tmp.resolve("exports.json");
        assertThatThrownBy(() -> ExportsFile.write(f, List.of(new Export("a", Path.of("/a"), false),
                new Export("a", Path.of("/b"), true)))).isInstanceOf(IllegalArgumentException.class);
        assertThat(f).doesNotExist();
    }

    @Test
    void aMissingFileIsAnIoErrorNamingIt() {
        Path f = tmp.resolve("nowhere.json");
        assertThatThrownBy(() -> ExportsFile.read(f)).isInstanceOf(IOException.class)
                .hasMessage("exports file " + f + ": no such file");
    }

    @Test
    void aBadFileIsAnIoErrorNamingTheFileAndTheProblem() throws IOException {
        record Case(String content, String problem) {
        }
        List<Case> cases = List.of(
                new Case("", "not a JSON object"),
                new Case("{\"exports\":[", "not valid JSON"),
                new Case("{\"exports\":[]} {}", "not valid JSON"),
                new Case("{\"exports\":[],\"exports\":[]}", "not valid JSON"),
                new Case("[]", "not a JSON object"),
                new Case("{}", "no \"exports\" array"),
                new Case("{\"exports\":{}}", "no \"exports\" array"),
                new Case("{\"exports\":[7]}", "export 1: not a JSON object"),
                new Case("{\"exports\":[{\"file\":\"/a\",\"readOnly\":false}]}", "export 1: \"name\" must be"),
                new Case("{\"exports\":[{\"name\":\"a\",\"readOnly\":false}]}", "export 1: \"file\" must be"),
                new Case("{\"exports\":[{\"name\":\"a\",\"file\":\"\",\"readOnly\":false}]}", "export 1: \"file\" must be"),
                new Case("{\"exports\":[{\"name\":\"a\",\"file\":\"/a\"}]}", "export 1: \"readOnly\" must be"),
                new Case("{\"exports\":[{\"name\":\"a\",\"file\":\"/a\",\"readOnly\":\"no\"}]}", "export 1: \"readOnly\" must be"),
                new Case("{\"exports\":[{\"name\":7,\"file\":\"/a\",\"readOnly\":false}]}", "export 1: \"name\" must be"),
                new Case("{\"exports\":[{\"name\":\"../x\",\"file\":\"/a\",\"readOnly\":false}]}", "export 1: export name must be"),
                new Case("{\"exports\":[{\"name\":\"a\",\"file\":\"/a\",\"readOnly\":false},"
                        + "{\"name\":\"a\",\"file\":\"/b\",\"readOnly\":true}]}", "export 2: export name a is listed twice"));
        Path f = tmp.resolve("exports.json");
        for (Case c : cases) {
            Files.writeString(f, c.content());
            assertThatThrownBy(() -> ExportsFile.read(f)).as(c.content()).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("exports file " + f + ": ").hasMessageContaining(c.problem())
                    .satisfies(e -> assertThat(e.getMessage()).as("one line").doesNotContain("\n"));
        }
    }
}
