package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.image.ImageStore;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, hole 4: console logs outlived their partition, keyed by its name, so a new partition
 * that took a removed one's name inherited its console history. Logs are kept per partition UUID
 * ({@code logs/console/<uuid>/<name>.log}) and removed with the partition.
 */
@Tag("unit")
class ConsoleHistoryTest {
    static final String SYS = "sys1";
    static final String LPAR = "name=web1,profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=512,"
            + "max_mem=512,proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,"
            + "desired_procs=1,max_procs=1";

    @TempDir
    Path dir;
    SqliteStore store;
    Hmc hmc;

    @BeforeEach
    void setUp() {
        store = new SqliteStore(dir.resolve("parvirt.db"));
        SystemSettings seed = new SystemSettings(SYS, 256, ProcUnits.parse("host.reserved_proc_units", "0"), 1024,
                HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
        ManagedSystem sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store, seed);
        Hypervisor hypervisor = new Hypervisor(new Hypervisor.Config("/usr/bin/qemu-system-x86_64", "tcg",
                dir.resolve("run"), dir.resolve("logs/console"), dir.resolve("vterm"), "test", Duration.ofSeconds(30),
                "0E5056"), (id, from, to, ref, detail) -> { });
        hmc = new Hmc(sys, new HmcUsers(store), new Hmc.Services(new PartitionOperations(sys, hypervisor,
                new ImageStore(dir.resolve("images")), null, null, null), null, null));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    HmcResult run(String... argv) {
        return hmc.run(new HmcInvocation(List.of(argv), Map.of(), "local:test"));
    }

    String uuid() {
        return run("lssyscfg", "-r", "lpar", "-m", SYS, "--filter", "lpar_names=web1", "-F", "uuid").stdout().strip();
    }

    String console() {
        return new String(hmc.consoleTail("local:test", "web1", 4096), StandardCharsets.UTF_8);
    }

    @Test
    void aNewPartitionOfARemovedOnesNameStartsWithNoConsoleHistory() throws Exception {
        assertThat(run("mksyscfg", "-r", "lpar", "-m", SYS, "-i", LPAR).exitCode()).isZero();
        Path first = Files.createDirectories(dir.resolve("logs/console").resolve(uuid()));
        Files.writeString(first.resolve("web1.log"), "root password is hunter2\n");
        // where logs were kept by name before: a decoy that no partition may read any more
        Files.writeString(dir.resolve("logs/console/web1.log"), "old history by name\n");
        assertThat(console()).isEqualTo("root password is hunter2\n");

        assertThat(run("rmsyscfg", "-r", "lpar", "-m", SYS, "-n", "web1").exitCode()).isZero();
        assertThat(first).doesNotExist();
        assertThat(run("mksyscfg", "-r", "lpar", "-m", SYS, "-i", LPAR).exitCode()).isZero();
        assertThat(console()).isEmpty();
    }

    /** Issue 12, hole 3: console output skipped authorisation; it is as mkvterm: hmcoperator and above. */
    @Test
    void aViewerCannotReadAConsoleAnOperatorCan() {
        assertThat(run("mksyscfg", "-r", "lpar", "-m", SYS, "-i", LPAR).exitCode()).isZero();
        assertThat(run("mkhmcusr", "-u", "viewer1", "-a", "hmcviewer", "--passwd", "viewer-pass1").exitCode()).isZero();
        assertThat(run("mkhmcusr", "-u", "op1", "-a", "hmcoperator", "--passwd", "op-pass-123").exitCode()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> hmc.consoleTail("viewer1", "web1", 4096))
                .isInstanceOfSatisfying(io.parvirt.model.ModelException.class, e -> assertThat(e.kind())
                        .isEqualTo(io.parvirt.model.ModelException.Kind.NOT_AUTHORIZED));
        assertThat(hmc.consoleTail("op1", "web1", 4096)).isEmpty();
        HmcResult vterm = hmc.run(new HmcInvocation(List.of("mkvterm", "-m", SYS, "-p", "web1"), Map.of(), "viewer1"));
        assertThat(vterm.stdout()).startsWith("HSCL350B ");
    }
}
