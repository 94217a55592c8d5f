package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ModelException;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: random command lines, built from each command's own options and plausible and hostile
 * values, either parse into a record or are rejected with an HMC syntax error or a model error;
 * nothing else escapes a parser (a record's own check failing would be a 500 at the API).
 */
@Tag("unit")
class CommandParserFuzzTest {
    static final long SEED = 11;
    static final List<String> OPTIONS = List.of("-r", "-m", "-n", "-p", "--id", "-o", "-i", "-f", "-a", "-F",
            "--header", "--filter", "--level", "--rsubtype", "--maxmem", "--hptratio", "--poolname", "--procunits",
            "--procs", "-t", "--tid", "--vswitch", "-u", "--passwd", "-c", "-d", "-h", "--minutes", "-n", "-s",
            "--startyear", "--startmonth", "--startday", "--endhour", "--immed", "--restart", "--force", "-b", "-k");
    static final List<String> VALUES = List.of("lpar", "prof", "sys", "procpool", "proc", "mem", "virtualio",
            "config", "all", "pool", "eth", "scsi", "vswitch", "s", "a", "r", "m", "on", "shutdown", "restart",
            "sys1", "web", "0", "1", "64", "1000", "1001", "-1", "x", "", "0.5", "1:64", "999999999999",
            "name=a", "name=a,lpar_id=2", "a=1,a=2", "\"", "lpar_names=a,b", "lpar_ids=1", "pool_ids=63",
            "event_types=sample", "profile_names=p", "names=a", "hmcviewer", "console", "hardware", "/f",
            "lsmap -all", "uncap_weight=5");

    @TempDir
    Path dir;

    static List<String> randomLine(Random rnd) {
        List<String> argv = new ArrayList<>();
        argv.add(CommandParser.VERBS.get(rnd.nextInt(CommandParser.VERBS.size())));
        int n = rnd.nextInt(12);
        for (int k = 0; k < n; k++) {
            argv.add(rnd.nextInt(2) == 0 ? OPTIONS.get(rnd.nextInt(OPTIONS.size()))
                    : VALUES.get(rnd.nextInt(VALUES.size())));
        }
        return argv;
    }

    /** Run whole, on a definition-only system: no random line is an HSCL130F (a fault of ours). */
    @Test
    void noRandomCommandLineIsAnInternalFailure() {
        try (SqliteStore store = new SqliteStore(dir.resolve("parvirt.db"))) {
            SystemSettings seed = new SystemSettings("sys1", 256, ProcUnits.parse("host.reserved_proc_units", "0"),
                    1024, HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
            ManagedSystem sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store,
                    seed);
            Hmc hmc = new Hmc(sys, new HmcUsers(store));
            Random rnd = new Random(SEED + 1);
            for (int i = 0; i < 3_000; i++) {
                List<String> argv = randomLine(rnd);
                HmcResult r = hmc.run(new HmcInvocation(argv, Map.of("/f", "name=a\n"), "local:test"));
                assertThat(r.code()).as("%s -> %s", argv, r.stdout()).isNotEqualTo("HSCL130F");
                assertThat(r.exitCode()).isBetween(0, 1);
            }
        }
    }

    @Test
    void everyCommandLineParsesOrIsRejectedAsTheHmcRejects() {
        Random rnd = new Random(SEED);
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            List<String> argv = randomLine(rnd);
            try {
                assertThat(CommandParser.parse(new HmcInvocation(argv, Map.of("/f", "name=a\nname=b\n"), null)))
                        .isNotNull();
                parsed++;
            } catch (HmcException | ModelException e) {
                assertThat(e.getMessage()).as("%s", argv).isNotBlank().doesNotContain("\n");
            } catch (RuntimeException e) {
                throw new AssertionError("argv " + argv + " escaped the parser with " + e, e);
            }
        }
        assertThat(parsed).as("some random lines are valid commands").isPositive();
    }
}
