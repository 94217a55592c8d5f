package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.model.Partition;
import io.parvirt.model.SystemDefinition;
import io.parvirt.store.HmcUser;
import io.parvirt.store.SqliteStore;
import io.parvirt.testing.InProcessSystem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: eight clients, each with its own HTTP connection to a real daemon, at once create,
 * change, rename and remove partitions, change pools and make, change and remove users for
 * {@code parvirt.mixed.seconds} (20 by default; {@code -Dparvirt.mixed.seconds=60} for the issue's
 * minute), each in its own names so that a model of the commands that succeeded says exactly what
 * must be stored. Afterwards the daemon is stopped and the store, read back from disk, equals that
 * model: nothing acknowledged was lost, nothing refused left a trace, no two changes mixed. The
 * assertions are about correctness only: each client does at least {@link #MIN_COMMANDS}
 * commands however slow the host, and how many it managed is printed, not checked.
 */
@Tag("daemon")
class ConcurrentChangesTest {
    static final String SYS = "sys1";
    static final int CLIENTS = 8;
    static final int MIN_COMMANDS = 12;
    static final List<String> ROLES = List.of("hmcviewer", "hmcoperator", "hmcpe", "hmcservicerep");
    static final ObjectMapper JSON = new ObjectMapper();

    /** What one client's successful commands say the store holds of its own things. */
    static final class Model {
        final Map<String, String> partitions = new TreeMap<>(); // name -> description
        final Map<String, String> users = new TreeMap<>(); // name -> task role
        int poolMax;
        int commands;
        int refused;
    }

    @Test
    void theStoreEqualsTheModelOfWhatSucceeded() throws Exception {
        long seconds = Long.getLong("parvirt.mixed.seconds", 20);
        List<Model> models = new ArrayList<>();
        List<Integer> poolsBefore = new ArrayList<>();
        try (RunningDaemon d = RunningDaemon.startWithoutImages()) {
            SystemDefinition start = load(d);
            for (int c = 0; c < CLIENTS; c++) {
                poolsBefore.add(start.pool(c + 1).orElseThrow().maxPoolProcUnits());
            }
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            List<Future<Model>> futures = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                futures.add(pool.submit(() -> client(d, client, end)));
            }
            for (Future<Model> f : futures) {
                models.add(f.get());
            }
            pool.shutdown();
            d.daemon().stop(); // everything acknowledged must be on disk now
            System.out.printf("ConcurrentChangesTest: %d commands (%d refused on purpose) from %d clients in %d s%n",
                    models.stream().mapToInt(m -> m.commands).sum(), models.stream().mapToInt(m -> m.refused).sum(),
                    CLIENTS, seconds);
            SystemDefinition def = load(d);
            Map<String, String> expected = new TreeMap<>();
            models.forEach(m -> expected.putAll(m.partitions));
            Map<String, String> stored = new TreeMap<>();
            for (Partition p : def.partitions()) {
                stored.put(p.name(), p.options().description());
                assertThat(def.profiles(p.id())).as("%s keeps its one profile", p.name()).hasSize(1);
            }
            assertThat(stored).as("every partition, as the commands that succeeded left it").isEqualTo(expected);
            for (int c = 0; c < CLIENTS; c++) {
                Model m = models.get(c);
                assertThat(def.pool(c + 1).orElseThrow().maxPoolProcUnits()).as("client %d's pool", c)
                        .isEqualTo(m.poolMax > 0 ? m.poolMax : poolsBefore.get(c));
            }
            Map<String, String> users = new TreeMap<>();
            models.forEach(m -> users.putAll(m.users));
            Map<String, String> storedUsers = new TreeMap<>();
            try (SqliteStore reopened = new SqliteStore(d.home().storeDir().resolve("parvirt.db"))) {
                for (HmcUser u : reopened.users()) {
                    storedUsers.put(u.name(), u.role());
                }
            }
            assertThat(storedUsers).as("every user and its role").isEqualTo(users);
            assertThat(models.stream().mapToInt(m -> m.refused).sum()).as("refusals tried").isPositive();
        }
    }

    private static SystemDefinition load(RunningDaemon d) {
        try (SqliteStore store = new SqliteStore(d.home().storeDir().resolve("parvirt.db"))) {
            return store.load(InProcessSystem.seed()).orElseThrow();
        }
    }

    /** One client: random commands on its own partitions, its pool (id client+1) and its users. */
    static Model client(RunningDaemon d, int client, long end) throws Exception {
        Model m = new Model();
        Random rnd = new Random(client);
        String prefix = "c" + client + "-";
        int serial = 0;
        try (HttpClient http = HttpClient.newHttpClient()) {
            while (System.nanoTime() < end || m.commands < MIN_COMMANDS) {
                m.commands++;
                List<String> names = new ArrayList<>(m.partitions.keySet());
                int op = rnd.nextInt(8);
                if (op == 0 || names.isEmpty()) {
                    String name = prefix + serial++;
                    if (ok(http, d, "mksyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + name + ",profile_name=default,"
                            + "lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=256,min_procs=1,desired_procs=1,"
                            + "max_procs=1")) {
                        m.partitions.put(name, "");
                    }
                } else if (op == 1) {
                    String name = names.get(rnd.nextInt(names.size()));
                    String text = "d" + rnd.nextInt(1000);
                    if (ok(http, d, "chsyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + name + ",description=" + text)) {
                        m.partitions.put(name, text);
                    }
                } else if (op == 2) {
                    String name = names.get(rnd.nextInt(names.size()));
                    String to = prefix + serial++;
                    if (ok(http, d, "chsyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + name + ",new_name=" + to)) {
                        m.partitions.put(to, m.partitions.remove(name));
                    }
                } else if (op == 3) {
                    String name = names.get(rnd.nextInt(names.size()));
                    if (ok(http, d, "rmsyscfg", "-r", "lpar", "-m", SYS, "-n", name)) {
                        m.partitions.remove(name);
                    }
                } else if (op == 4) {
                    int max = 1 + rnd.nextInt(4);
                    if (ok(http, d, "chhwres", "-r", "procpool", "-m", SYS, "-o", "s", "--id",
                            Integer.toString(client + 1), "-a", "max_pool_proc_units=" + max)) {
                        m.poolMax = max;
                    }
                } else if (op == 5) {
                    String u = "c" + client + "u" + rnd.nextInt(5);
                    String role = ROLES.get(rnd.nextInt(ROLES.size()));
                    if (ok(http, d, "mkhmcusr", "-u", u, "-a", role, "--passwd", "pw-" + u + "-123")) {
                        m.users.put(u, role);
                    }
                } else if (op == 6) {
                    String u = "c" + client + "u" + rnd.nextInt(5);
                    String role = ROLES.get(rnd.nextInt(ROLES.size()));
                    if (ok(http, d, "chhmcusr", "-i", "name=" + u + ",taskrole=" + role)) {
                        m.users.put(u, role);
                    }
                } else {
                    String u = "c" + client + "u" + rnd.nextInt(5);
                    if (ok(http, d, "rmhmcusr", "-u", u)) {
                        m.users.remove(u);
                    }
                }
                // a refused change (a partition that is not there) must leave nothing
                if (rnd.nextInt(5) == 0 && !ok(http, d, "chsyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + prefix
                        + "none,description=x")) {
                    m.refused++;
                }
            }
        }
        return m;
    }

    /** One command line through the API (the CLI's route), as the home's owner. */
    static boolean ok(HttpClient http, RunningDaemon d, String... argv) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.port()
                + "/api/v1/hmc/cli")).timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + d.token())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(Map.of("argv", argv)))).build(), HttpResponse.BodyHandlers.ofString());
        int exit = Integer.parseInt(r.headers().firstValue("X-Parvirt-Exit-Code").orElse("-1"));
        String what = String.join(" ", argv) + " -> " + r.statusCode() + " " + r.body();
        assertThat(exit).as(what).isBetween(0, 1);
        if (exit != 0) {
            assertThat(r.body().lines().count()).as("one line: %s", what).isEqualTo(1);
            assertThat(r.body()).as("a refusal, not a fault: %s", what).doesNotStartWith("HSCL130F");
        }
        return exit == 0;
    }
}
