package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.SystemSettings;
import io.parvirt.store.HmcUser;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: eight clients at once create, change, rename and remove partitions, change pools and
 * make and remove users for {@code parvirt.mixed.seconds} (8 by default, for the unit tier; 60 on demand), each in
 * its own names so that a model of the commands that succeeded says exactly what must be stored.
 * Afterwards the store, read back from disk, equals that model: nothing acknowledged was lost,
 * nothing refused left a trace, and no two changes mixed.
 */
@Tag("unit")
class ConcurrentChangesTest {
    static final String SYS = "sys1";
    static final int CLIENTS = 8;

    @TempDir
    Path dir;

    /** What one client's successful commands say the store holds of its own things. */
    static final class Model {
        final Map<String, String> partitions = new TreeMap<>(); // name -> description
        final TreeSet<String> users = new TreeSet<>();
        int poolMax;
        int commands;
        int refused;
    }

    @Test
    void theStoreEqualsTheModelOfWhatSucceeded() throws Exception {
        long seconds = Long.getLong("parvirt.mixed.seconds", 8);
        SystemSettings seed = new SystemSettings(SYS, 256, ProcUnits.parse("host.reserved_proc_units", "0"), 1024,
                HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
        List<Model> models = new ArrayList<>();
        try (SqliteStore store = new SqliteStore(dir.resolve("parvirt.db"))) {
            ManagedSystem sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store,
                    seed);
            Hmc hmc = new Hmc(sys, new HmcUsers(store));
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            List<Future<Model>> futures = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                futures.add(pool.submit(() -> client(hmc, client, end)));
            }
            for (Future<Model> f : futures) {
                models.add(f.get());
            }
            pool.shutdown();
        }
        System.out.printf("ConcurrentChangesTest: %d commands (%d refused on purpose) from %d clients in %d s%n",
                models.stream().mapToInt(m -> m.commands).sum(), models.stream().mapToInt(m -> m.refused).sum(),
                CLIENTS, seconds);
        try (SqliteStore reopened = new SqliteStore(dir.resolve("parvirt.db"))) {
            SystemDefinition def = reopened.load(seed).orElseThrow();
            for (int c = 0; c < CLIENTS; c++) {
                Model m = models.get(c);
                String prefix = "c" + c + "-";
                Map<String, String> stored = new TreeMap<>();
                for (Partition p : def.partitions()) {
                    if (p.name().startsWith(prefix)) {
                        stored.put(p.name(), p.options().description());
                    }
                }
                assertThat(stored).as("client %d's partitions", c).isEqualTo(m.partitions);
                for (Partition p : def.partitions()) {
                    if (p.name().startsWith(prefix)) {
                        assertThat(def.profiles(p.id())).as("%s keeps its profile", p.name()).hasSize(1);
                    }
                }
                assertThat(def.pool(c + 1).orElseThrow().maxPoolProcUnits()).as("client %d's pool", c)
                        .isEqualTo(m.poolMax);
                TreeSet<String> users = new TreeSet<>();
                for (HmcUser u : reopened.users()) {
                    if (u.name().startsWith("c" + c + "u")) {
                        users.add(u.name());
                    }
                }
                assertThat(users).as("client %d's users", c).isEqualTo(m.users);
                assertThat(m.commands).as("client %d did something", c).isGreaterThan(10);
            }
        }
    }

    /** One client: random commands on its own partitions, its pool (id client+1) and its users. */
    static Model client(Hmc hmc, int client, long end) {
        Model m = new Model();
        Random rnd = new Random(client);
        String prefix = "c" + client + "-";
        int serial = 0;
        while (System.nanoTime() < end) {
            m.commands++;
            List<String> names = new ArrayList<>(m.partitions.keySet());
            int op = rnd.nextInt(7);
            if (op == 0 || names.isEmpty()) {
                String name = prefix + serial++;
                if (ok(hmc, "mksyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + name + ",profile_name=default,"
                        + "lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=256,min_procs=1,desired_procs=1,"
                        + "max_procs=1")) {
                    m.partitions.put(name, "");
                }
            } else if (op == 1) {
                String name = names.get(rnd.nextInt(names.size()));
                String d = "d" + rnd.nextInt(1000);
                if (ok(hmc, "chsyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + name + ",description=" + d)) {
                    m.partitions.put(name, d);
                }
            } else if (op == 2) {
                String name = names.get(rnd.nextInt(names.size()));
                String to = prefix + serial++;
                if (ok(hmc, "chsyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + name + ",new_name=" + to)) {
                    m.partitions.put(to, m.partitions.remove(name));
                }
            } else if (op == 3) {
                String name = names.get(rnd.nextInt(names.size()));
                if (ok(hmc, "rmsyscfg", "-r", "lpar", "-m", SYS, "-n", name)) {
                    m.partitions.remove(name);
                }
            } else if (op == 4) {
                int max = 1 + rnd.nextInt(4);
                if (ok(hmc, "chhwres", "-r", "procpool", "-m", SYS, "-o", "s", "--id", Integer.toString(client + 1),
                        "-a", "max_pool_proc_units=" + max)) {
                    m.poolMax = max;
                }
            } else if (op == 5) {
                String u = "c" + client + "u" + rnd.nextInt(5);
                if (ok(hmc, "mkhmcusr", "-u", u, "-a", "hmcviewer", "--passwd", "pw-" + u + "-123")) {
                    m.users.add(u);
                }
            } else {
                String u = "c" + client + "u" + rnd.nextInt(5);
                if (ok(hmc, "rmhmcusr", "-u", u)) {
                    m.users.remove(u);
                }
            }
            // a refused change (e.g. a name twice) must leave nothing: bad input on purpose now and then
            if (rnd.nextInt(5) == 0 && !ok(hmc, "chsyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + prefix
                    + "none,description=x")) {
                m.refused++;
            }
        }
        return m;
    }

    static boolean ok(Hmc hmc, String... argv) {
        HmcResult r = hmc.run(new HmcInvocation(List.of(argv), Map.of(), "local:test"));
        if (r.exitCode() != 0) {
            assertThat(r.stdout().lines().count()).as("one line: %s", r.stdout()).isEqualTo(1);
            assertThat(r.code()).as("a refusal, not a fault: %s", r.stdout()).isNotEqualTo("HSCL130F");
        }
        return r.exitCode() == 0;
    }
}
