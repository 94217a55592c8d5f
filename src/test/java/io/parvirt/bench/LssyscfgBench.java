package io.parvirt.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parvirt.it.RunningDaemon;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * {@code lssyscfg -r lpar} with 1000 partitions defined, answered by a real in-process daemon (real
 * SQLite store) and asked over loopback HTTP through {@code POST /api/v1/hmc/cli}, as the CLI asks it.
 * The figure therefore includes the HTTP round trip and JSON request parsing; the target for
 * the command inside the daemon is 20 ms.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class LssyscfgBench {
    static final int PARTITIONS = 1000;
    static final String SYSTEM = "sys1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunningDaemon daemon;
    private String listAll;
    private String listFields;

    /** One attribute record per line, as a {@code mksyscfg -f} file holds them. */
    static String partitionRecords(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            sb.append(String.format("name=lp%04d,profile_name=default,lpar_env=aixlinux,min_mem=256,"
                    + "desired_mem=512,max_mem=1024,proc_mode=shared,min_proc_units=0.05,"
                    + "desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,"
                    + "sharing_mode=uncap,uncap_weight=128%n", i));
        }
        return sb.toString();
    }

    static String cliBody(List<String> argv, String file, String content) {
        ObjectNode o = JSON.createObjectNode();
        argv.forEach(o.putArray("argv")::add);
        if (file != null) {
            o.putObject("files").put(file, content);
        }
        return o.toString();
    }

    @Setup(Level.Trial)
    public void setUp() {
        daemon = RunningDaemon.start();
        HttpResponse<String> made = daemon.api("POST", "/api/v1/hmc/cli", cliBody(
                List.of("mksyscfg", "-r", "lpar", "-m", SYSTEM, "-f", "/p"), "/p", partitionRecords(PARTITIONS)));
        check(made, "mksyscfg");
        listAll = cliBody(List.of("lssyscfg", "-r", "lpar", "-m", SYSTEM), null, null);
        listFields = cliBody(List.of("lssyscfg", "-r", "lpar", "-m", SYSTEM, "-F", "name,lpar_id,state"), null, null);
        long all = check(daemon.api("POST", "/api/v1/hmc/cli", listAll), "lssyscfg").body().lines().count();
        long fields = check(daemon.api("POST", "/api/v1/hmc/cli", listFields), "lssyscfg -F").body().lines().count();
        if (all != PARTITIONS || fields != PARTITIONS) {
            throw new IllegalStateException("expected " + PARTITIONS + " partitions listed, got " + all + " and "
                    + fields);
        }
    }

    private static HttpResponse<String> check(HttpResponse<String> r, String what) {
        String exit = r.headers().firstValue("X-Parvirt-Exit-Code").orElse("?");
        if (r.statusCode() != 200 || !exit.equals("0")) {
            throw new IllegalStateException(what + " failed: HTTP " + r.statusCode() + ", exit " + exit + ": "
                    + r.body());
        }
        return r;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** {@code lssyscfg -r lpar -m sys1}: every attribute of 1000 partitions (about 620 kB of text). */
    @Benchmark
    public String lssyscfgAll() {
        return daemon.api("POST", "/api/v1/hmc/cli", listAll).body();
    }

    /** {@code lssyscfg -r lpar -m sys1 -F name,lpar_id,state}. */
    @Benchmark
    public String lssyscfgNameIdState() {
        return daemon.api("POST", "/api/v1/hmc/cli", listFields).body();
    }
}
