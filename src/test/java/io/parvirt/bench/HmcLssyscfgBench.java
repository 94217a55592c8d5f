package io.parvirt.bench;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.HmcUsers;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code lssyscfg -r lpar} with 1000 partitions, run on the daemon's command layer directly
 * ({@link Hmc#run}, as the API's handler calls it; real SQLite store, system seeded as the daemon
 * seeds it by default), without HTTP: the command's own cost inside the daemon. Compare with
 * {@link LssyscfgBench}, the same commands asked over loopback HTTP.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class HmcLssyscfgBench {
    private static final String USER = "local:bench";
    private Path dir;
    private SqliteStore store;
    private Hmc hmc;
    private HmcInvocation listAll;
    private HmcInvocation listFields;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("parvirt-bench-hmc-");
        HostFacts host = HostFacts.read();
        long lmb = 256;
        SystemSettings seed = new SystemSettings(LssyscfgBench.SYSTEM, lmb, ProcUnits.parse("host.reserved_proc_units",
                "0"), Math.max(1024, host.memoryMb() / 16), HypervisorMemory.defaultBaseMb(host.memoryMb(), lmb),
                HptRatio.parse("hpt_ratio", "1:64"), "");
        store = new SqliteStore(dir.resolve("parvirt.db"));
        ManagedSystem sys = new ManagedSystem(host, store, seed);
        hmc = new Hmc(sys, new HmcUsers(store));
        HmcResult made = hmc.run(new HmcInvocation(List.of("mksyscfg", "-r", "lpar", "-m", LssyscfgBench.SYSTEM,
                "-f", "/p"), Map.of("/p", LssyscfgBench.partitionRecords(LssyscfgBench.PARTITIONS)), USER));
        if (made.exitCode() != 0) {
            throw new IllegalStateException("mksyscfg failed: " + made.stdout());
        }
        listAll = new HmcInvocation(List.of("lssyscfg", "-r", "lpar", "-m", LssyscfgBench.SYSTEM), Map.of(), USER);
        listFields = new HmcInvocation(List.of("lssyscfg", "-r", "lpar", "-m", LssyscfgBench.SYSTEM, "-F",
                "name,lpar_id,state"), Map.of(), USER);
        for (HmcInvocation inv : List.of(listAll, listFields)) {
            HmcResult r = hmc.run(inv);
            if (r.exitCode() != 0 || r.stdout().lines().count() != LssyscfgBench.PARTITIONS) {
                throw new IllegalStateException(inv.argv() + " did not list " + LssyscfgBench.PARTITIONS
                        + " partitions: " + r.stdout().lines().findFirst().orElse(""));
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (UncheckedIOException e) {
            // a temporary directory: left behind at worst
        }
    }

    /** {@code lssyscfg -r lpar -m sys1}: every attribute of 1000 partitions. */
    @Benchmark
    public HmcResult lssyscfgAll() {
        return hmc.run(listAll);
    }

    /** {@code lssyscfg -r lpar -m sys1 -F name,lpar_id,state}. */
    @Benchmark
    public HmcResult lssyscfgNameIdState() {
        return hmc.run(listFields);
    }
}
