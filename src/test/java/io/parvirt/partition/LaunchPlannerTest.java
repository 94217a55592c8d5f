package io.parvirt.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.parvirt.hmc.HsclCode;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.ManagedSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden files, as libvirt's qemuxmlconfdata: every {@code launch/<case>.json} (partitions defined
 * by their HMC records, the one to activate, the system's state) gives exactly
 * {@code <case>.args} (the command line, one argument a line) or is refused with exactly
 * {@code <case>.err} (the HMC's line). Cases are found in the folder, not listed here. Run with
 * {@code -Dgolden.update=true} to write the expected files of new cases (then read them).
 */
@Tag("unit")
class LaunchPlannerTest {
    static final Path CASES = Path.of("src/test/resources/launch");
    static final boolean UPDATE = Boolean.getBoolean("golden.update");

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> everyCaseGivesItsCommandLineOrItsRefusal() throws IOException {
        List<Path> cases;
        try (Stream<Path> files = Files.list(CASES)) {
            cases = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(c)));
    }

    private void check(Path json) throws IOException {
        String name = json.getFileName().toString().replaceFirst("\\.json$", "");
        Path args = CASES.resolve(name + ".args");
        Path err = CASES.resolve(name + ".err");
        List<String> outcomes = outcomes(json);
        String actual = outcomes.getFirst();
        if (UPDATE && !Files.exists(args) && !Files.exists(err)) {
            Files.writeString(actual.startsWith("HSCL") ? err : args, actual);
        }
        assertThat(Files.exists(args) ^ Files.exists(err)).as("%s has exactly one of .args and .err", name).isTrue();
        assertThat(actual).isEqualTo(Files.readString(Files.exists(args) ? args : err));
        assertThat(outcomes.getLast()).as("the same input gives the same output").isEqualTo(actual);
    }

    /** Twice: the command line, one argument a line; or the HMC's error line. */
    private List<String> outcomes(Path json) throws IOException {
        LaunchFixture f = LaunchFixture.read(json);
        Path home = Files.createTempDirectory(dir, "case");
        try (SqliteStore store = new SqliteStore(home.resolve("parvirt.db"))) {
            ManagedSystem sys = f.system(home, store);
            Partition p = LaunchFixture.withFixedUuid(sys.partition(f.activate()));
            var prof = sys.profile(p, f.profile() != null ? f.profile() : p.defaultProfile());
            return List.of(outcome(sys, p, prof, f), outcome(sys, p, prof, f));
        }
    }

    private static String outcome(ManagedSystem sys, Partition p, Profile prof, LaunchFixture f) {
        try {
            LaunchPlan plan = LaunchPlanner.plan(sys.definition(), p, prof, f.environment(sys));
            return String.join("\n", plan.commandLine()) + "\n";
        } catch (ModelException e) {
            return HsclCode.error(e).line() + "\n";
        }
    }

    @Test
    void thereAreEnoughCasesOfEachKind() throws IOException {
        try (Stream<Path> files = Files.list(CASES)) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            assertThat(names.stream().filter(n -> n.endsWith(".args")).count()).isGreaterThanOrEqualTo(12);
            assertThat(names.stream().filter(n -> n.endsWith(".err")).count()).isGreaterThanOrEqualTo(6);
            for (String n : names) {
                if (!n.endsWith(".json") && !names.contains(n.replaceFirst("\\.(args|err)$", ".json"))) {
                    fail("%s has no .json case", n);
                }
            }
        }
    }
}
