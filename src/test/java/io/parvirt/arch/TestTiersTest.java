package io.parvirt.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every test class is in exactly one tier (README.md), named by a JUnit tag on the class: unit (in-process
 * code, real files and sockets, at most a base tool such as sh or stat), daemon (a real daemon, ./parvirt,
 * the storage server or another external program such as qemu-img or cpio; no guest), guest (boots a QEMU
 * guest). {@code ./test unit} and {@code mvn test -Dgroups=unit} select by these tags,
 * so a class without one would silently never run in any tier.
 */
@Tag("unit")
class TestTiersTest {
    static final Path TESTS = Path.of("src/test/java");
    static final Set<String> TIERS = Set.of("unit", "daemon", "guest");
    static final Pattern TEST_METHOD = Pattern.compile("@(Test|ParameterizedTest|RepeatedTest|TestFactory)\\b");
    /** Any tag annotation (the pattern is spelled so that this file's own text does not match it). */
    static final Pattern TAG = Pattern.compile("@Tag\\(\\s*\"([^\"]*)\"\\s*\\)");
    static final Pattern TOP_LEVEL_CLASS = Pattern.compile("(?m)^(?:public |final |abstract )*class \\w+");

    @Test
    void everyTestClassHasExactlyOneTierTag() throws IOException {
        List<String> wrong = new ArrayList<>();
        int classes = 0;
        try (Stream<Path> files = Files.walk(TESTS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String text = Files.readString(f);
                if (!TEST_METHOD.matcher(text).find()) {
                    continue;
                }
                classes++;
                String rel = TESTS.relativize(f).toString();
                Matcher c = TOP_LEVEL_CLASS.matcher(text);
                int classAt = c.find() ? c.start() : text.length();
                List<String> onClass = new ArrayList<>();
                List<String> elsewhere = new ArrayList<>();
                Matcher t = TAG.matcher(text);
                while (t.find()) {
                    if (TIERS.contains(t.group(1))) {
                        (t.start() < classAt ? onClass : elsewhere).add(t.group(1));
                    }
                }
                if (onClass.size() != 1 || !elsewhere.isEmpty()) {
                    wrong.add(rel + ": tier tags on the class " + onClass + ", on members " + elsewhere);
                }
            }
        }
        assertThat(classes).as("test classes found under %s", TESTS.toAbsolutePath()).isGreaterThan(50);
        assertThat(wrong).as("test classes without exactly one tier tag (one of %s) on the class", TIERS).isEmpty();
    }
}
