package io.parvirt.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.HmcUsers;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, hole 11: with the home's file system full every change was refused and nothing lost,
 * but the line said "SQL error or missing database (cannot commit - no transaction is active)".
 * It now says that the disk holding the store is full, and where. A real full file system: a
 * small tmpfs mounted for the test (root only, as CI runs), filled with a file.
 */
@Tag("unit")
class FullDiskTest {
    static final String SYS = "sys1";

    @TempDir
    Path dir;
    Path mnt;
    SqliteStore store;

    static int sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @BeforeEach
    void mount() throws Exception {
        mnt = Files.createDirectory(dir.resolve("home"));
        assumeTrue(sh("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt.toString()) == 0,
                "mounting a tmpfs needs root");
    }

    @AfterEach
    void unmount() throws Exception {
        if (store != null) {
            store.close();
        }
        sh("umount", "-l", mnt.toString());
    }

    @Test
    void aFullDiskIsNamedAndNothingChanges() throws Exception {
        store = new SqliteStore(mnt.resolve("parvirt.db"));
        SystemSettings seed = new SystemSettings(SYS, 256, ProcUnits.parse("host.reserved_proc_units", "0"), 1024,
                HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
        ManagedSystem sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store, seed);
        Hmc hmc = new Hmc(sys, new HmcUsers(store));
        try (OutputStream out = Files.newOutputStream(mnt.resolve("filler"))) {
            byte[] block = new byte[64 * 1024];
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (java.io.IOException full) {
            // the file system is full now
        }
        HmcResult r = null;
        for (int i = 0; i < 200 && (r == null || r.exitCode() == 0); i++) {
            r = hmc.run(new HmcInvocation(List.of("mksyscfg", "-r", "lpar", "-m", SYS, "-i", "name=lp" + i
                    + ",profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=256,min_procs=1,"
                    + "desired_procs=1,max_procs=1,description=" + "d".repeat(250)), Map.of(), "local:test"));
        }
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).startsWith("HSCL130F The change could not be saved and was not made: the disk "
                + "holding the store " + mnt + " is full (").contains("free space there and retry");
        int defined = sys.definition().partitions().size();
        Files.delete(mnt.resolve("filler"));
        HmcResult after = hmc.run(new HmcInvocation(List.of("mksyscfg", "-r", "lpar", "-m", SYS, "-i", "name=late,"
                + "profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=256,min_procs=1,"
                + "desired_procs=1,max_procs=1"), Map.of(), "local:test"));
        assertThat(after.exitCode()).as("with space again the store works: " + after.stdout()).isZero();
        try (SqliteStore reopened = new SqliteStore(mnt.resolve("parvirt.db"))) {
            assertThat(reopened.load(seed).orElseThrow().partitions())
                    .as("the refused changes are not there; the one after is").hasSize(defined + 1);
        }
    }
}
