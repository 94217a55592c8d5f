package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hypervisor.qga.FakeGuestAgent;
import io.parvirt.hypervisor.qmp.FakeQmpPeer;
import io.parvirt.model.LparState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a restarted daemon does with the run directories an earlier one left: a partition's process
 * is taken over only when its pid file names a live process whose command line names the partition's
 * UUID; a process behind an unreadable run record is stopped rather than leaked.
 */
@Tag("unit")
class ReadoptionDecisionsTest {
    @TempDir
    Path dir;
    final List<ProcessHandle> processes = new ArrayList<>();
    final List<AutoCloseable> peers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        processes.forEach(ProcessHandle::destroyForcibly);
        for (AutoCloseable p : peers) {
            p.close();
        }
    }

    private Hypervisor hypervisor() {
        Hypervisor.Config c = new Hypervisor.Config("/usr/bin/qemu-system-x86_64", "tcg", dir.resolve("run"),
                dir.resolve("logs"), dir.resolve("vterm"), "test", Duration.ofSeconds(30), "0E5056");
        return new Hypervisor(c, (id, from, to, ref, detail) -> { }, new Hypervisor.Parts() {
            @Override
            public PartitionRunner runner(LaunchSpec spec) {
                return new QemuGuestRunner(spec, s -> {
                    throw new LaunchException(RefCode.QEMU_FAILED, "this test launches nothing");
                });
            }

            @Override
            public Placement placement(int lparId) {
                return Placement.NONE;
            }
        });
    }

    private LaunchSpec recorded(int id) throws Exception {
        LaunchSpec spec = SupervisorHarness.spec(dir, id, UUID.randomUUID().toString());
        Files.createDirectories(spec.runDir());
        Hypervisor.writeRunRecord(new Hypervisor.RunRecord(spec, "default", null));
        return spec;
    }

    @Test
    void aLiveProcessNamingThePartitionsUuidIsAdoptedAndRunsOn() throws Exception {
        LaunchSpec spec = recorded(3);
        ProcessHandle qemu = FakeProcess.start(dir.resolve("bin"), spec.uuid(), spec.pidFile());
        processes.add(qemu);
        FakeQmpPeer qmp = FakeQmpPeer.start(spec.qmpSocket());
        peers.add(qmp);
        peers.add(FakeGuestAgent.start(spec.agentSocket()).answer());
        qmp.after("quit", qemu::destroy);

        Hypervisor hv = hypervisor();
        assertThat(hv.recover()).containsExactly(3);
        Eventually.until("Running", () -> hv.status(3).map(s -> s.state() == LparState.RUNNING).orElse(false));
        assertThat(hv.status(3).orElseThrow().pid()).isEqualTo(qemu.pid());
        assertThat(qemu.isAlive()).isTrue();

        hv.shutdown(3, true, Duration.ofSeconds(30));
        Eventually.until("the partition ended", () -> hv.status(3).isEmpty());
        assertThat(qemu.isAlive()).isFalse();
    }

    @Test
    void aPidReusedByAnotherProgramIsNotAdoptedNorKilled() throws Exception {
        LaunchSpec spec = recorded(4);
        ProcessHandle other = FakeProcess.stranger();
        processes.add(other);
        Files.writeString(spec.pidFile(), other.pid() + "\n");

        Hypervisor hv = hypervisor();
        assertThat(hv.recover()).isEmpty();
        assertThat(hv.status(4)).isEmpty();
        assertThat(spec.runDir()).doesNotExist();
        assertThat(other.isAlive()).isTrue();
    }

    @Test
    void aProcessBehindAnUnreadableRunRecordIsStopped() throws Exception {
        Path runDir = dir.resolve("run").resolve("5");
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("run.json"), "{\"spec\": {trunc");
        // Its command line names its run directory, as a QEMU's does through its socket paths.
        ProcessHandle orphan = FakeProcess.start(runDir, UUID.randomUUID().toString(), runDir.resolve("qemu.pid"));
        processes.add(orphan);

        Hypervisor hv = hypervisor();
        assertThat(hv.recover()).isEmpty();
        Eventually.until("the orphan stopped", () -> !orphan.isAlive());
        assertThat(runDir).doesNotExist();
    }
}
