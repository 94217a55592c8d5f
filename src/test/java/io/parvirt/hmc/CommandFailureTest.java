package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.command.EventCommand.ListEvents;
import io.parvirt.hmc.command.Format;
import io.parvirt.hmc.command.UserCommand.MakeUser;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.store.SqliteStore;
import io.parvirt.store.Store;
import io.parvirt.store.StoreException;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: every failure of a command is one line and exit 1 with a typed error, whatever threw:
 * a rule (its HSCL code), the store (HSCL130F, not saved) or a fault no rule expected (HSCL130F
 * naming the exception, never a trace or an escaping exception).
 */
@Tag("unit")
class CommandFailureTest {
    static final String SYS = "sys1";
    static final String USER = "local:test";

    @TempDir
    Path dir;
    SqliteStore real;

    Hmc hmc(Store store) {
        SystemSettings seed = new SystemSettings(SYS, 256, ProcUnits.parse("host.reserved_proc_units", "0"), 1024,
                HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
        ManagedSystem sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store, seed);
        return new Hmc(sys, new HmcUsers(store));
    }

    /** Armed after the system is built, so that only the command meets the failure. */
    Hmc failingOn(String method, RuntimeException failure) {
        real = new SqliteStore(dir.resolve("parvirt.db"));
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        Hmc hmc = hmc(FailingStore.failing(real, method, () -> armed.get() ? failure : null));
        armed.set(true);
        return hmc;
    }

    @AfterEach
    void tearDown() {
        if (real != null) {
            real.close();
        }
    }

    static HmcResult run(Hmc hmc, String... argv) {
        return hmc.run(new HmcInvocation(List.of(argv), Map.of(), USER));
    }

    @Test
    void anUnexpectedExceptionInACommandIsOneLineAndExitOne() {
        Hmc hmc = failingOn("events", new IllegalStateException("events table is corrupt\n  at page 7"));
        HmcResult r = run(hmc, "lssvcevents", "-t", "console");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).isEqualTo("HSCL130F The command failed: java.lang.IllegalStateException: events "
                + "table is corrupt at page 7\n");
        assertThat(r.error().code()).isEqualTo("HSCL130F");
        assertThat(r.error().httpStatus()).isEqualTo(500);
        assertThat(r.error().message()).doesNotContain("HSCL130F").doesNotContain("\n");
    }

    @Test
    void anUnexpectedExceptionInATypedCommandIsTheSameError() {
        Hmc hmc = failingOn("events", new NullPointerException());
        HmcResult r = hmc.execute(new ListEvents(true, 7, Format.PAIRS), USER);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).isEqualTo("HSCL130F The command failed: java.lang.NullPointerException\n");
        assertThat(r.httpStatus()).isEqualTo(500);
    }

    @Test
    void aStoreFailureIsNotSavedAndSaysSo() {
        Hmc hmc = failingOn("commit", new StoreException("disk I/O error", new java.io.IOException("EIO")));
        HmcResult r = run(hmc, "mkhmcusr", "-u", "alice", "-a", "hmcviewer", "--passwd", "secret123");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).isEqualTo("HSCL130F The change could not be saved and was not made: disk I/O error\n");
        assertThat(r.httpStatus()).isEqualTo(500);
        HmcResult typed = hmc.execute(new MakeUser("bob", "hmcviewer", "secret123"), USER);
        assertThat(typed.code()).isEqualTo("HSCL130F");
    }

    @Test
    void aRuleErrorCarriesItsCodeAndStatusApartFromStdout() {
        Hmc hmc = failingOn("nothing", new IllegalStateException());
        HmcResult r = run(hmc, "rmsyscfg", "-r", "lpar", "-m", SYS, "-n", "ghost");
        assertThat(r.stdout()).isEqualTo(r.error().line() + "\n").startsWith("HSCL8012 ");
        assertThat(r.error().message()).doesNotStartWith("HSCL");
        assertThat(r.httpStatus()).isEqualTo(404);
    }

    @Test
    void aSyntaxErrorHasNoCodeAsOnTheHmc() {
        Hmc hmc = failingOn("nothing", new IllegalStateException());
        HmcResult r = run(hmc, "lssyscfg", "-r", "nonsense");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.code()).isNull();
        assertThat(r.httpStatus()).isEqualTo(400);
        assertThat(r.stdout()).isEqualTo(r.error().message() + "\n");
    }

    @Test
    void everyCommandRunsTypedAPowerCommandOnAMissingPartitionIsNotFound() {
        Hmc hmc = failingOn("nothing", new IllegalStateException());
        HmcResult r = hmc.execute(new io.parvirt.hmc.command.PowerCommand.CloseVterm(SYS,
                new io.parvirt.hmc.command.PartitionRef.ById(1)), USER);
        assertThat(r.code()).isEqualTo("HSCL8012");
        assertThat(r.httpStatus()).isEqualTo(404);
    }
}
