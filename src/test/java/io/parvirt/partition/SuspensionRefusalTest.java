package io.parvirt.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.model.LparState;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.testing.InProcessSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: a suspend is refused for a partition being migrated (live or inactive) or paused, and
 * the refusal changes nothing (no saved state, no record). The states are given here as the
 * partition operations would report them: a migration in flight needs two systems and a guest,
 * which this decision does not.
 */
@Tag("unit")
class SuspensionRefusalTest {
    @TempDir
    Path dir;

    @Test
    void aMigratingOrPausedPartitionIsNotSuspended() throws Exception {
        try (InProcessSystem system = new InProcessSystem(dir)) {
            assertThat(system.run("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=lp1,profile_name=default,"
                    + "lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=512,min_procs=1,desired_procs=1,"
                    + "max_procs=1,suspend_capable=1").exitCode()).isZero();
            Partition p = system.sys.partition("lp1");
            Hypervisor hv = new Hypervisor(new Hypervisor.Config("/usr/bin/qemu-system-x86_64", "tcg",
                    dir.resolve("home/run/lpar"), dir.resolve("logs"), dir.resolve("vterm"), "test",
                    Duration.ofSeconds(30), "0E5056"), (id, from, to, ref, detail) -> { });
            for (LparState state : List.of(LparState.MIGRATING_RUNNING, LparState.MIGRATING_NOT_ACTIVATED,
                    LparState.SUSPENDING, LparState.RESUMING)) {
                Suspension s = new Suspension(system.sys, hv, null, null, id -> Optional.of(run(id, state, false)),
                        1L << 30);
                assertThatThrownBy(() -> s.suspend(p)).isInstanceOf(ModelException.class)
                        .hasMessageContaining("lp1 is " + state.hmcName() + ": only a Running partition can be "
                                + "suspended");
            }
            Suspension paused = new Suspension(system.sys, hv, null, null, id -> Optional.of(run(id,
                    LparState.RUNNING, true)), 1L << 30);
            assertThatThrownBy(() -> paused.suspend(p)).hasMessageContaining("lp1 is Paused");
            assertThat(hv.saved(p.id())).isEmpty();
            assertThat(hv.suspendDir()).doesNotExist();
        }
    }

    private static RunState run(int id, LparState state, boolean paused) {
        return new RunState(id, state, "", "", "", Instant.now(), "default", Optional.empty(), "Unknown", List.of(),
                true, List.of(), List.of(), paused);
    }
}
