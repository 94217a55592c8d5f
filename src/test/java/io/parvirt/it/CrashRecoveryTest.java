package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing acknowledged is lost and nothing is half-written: a daemon SIGKILLed in the middle of a
 * burst of mksyscfg comes back with every acknowledged partition, and every partition it has is
 * whole (its profile is there).
 */
@Tag("daemon")
class CrashRecoveryTest {

    static String record(int i) {
        return "name=c" + i + ",profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=512,max_mem=1024,"
                + "proc_mode=shared,min_proc_units=0.05,desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,"
                + "desired_procs=1,max_procs=2,sharing_mode=uncap,uncap_weight=128";
    }

    @Test
    void aKilledDaemonComesBackWithEveryAcknowledgedPartitionWhole(@TempDir Path home) throws Exception {
        ServedHome.writeProperties(home);
        Process daemon = ServedHome.serve(home);
        String listen = Files.readString(home.resolve("run/listen")).strip();
        String token = Files.readString(home.resolve("run/token")).strip();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean killed = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<java.util.concurrent.Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            work.add(pool.submit(() -> {
                for (int i = thread; i < 2000 && !killed.get(); i += 4) {
                    String body = "{\"argv\":[\"mksyscfg\",\"-r\",\"lpar\",\"-m\",\"sys1\",\"-i\",\""
                            + record(i).replace("\"", "\\\"") + "\"]}";
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + listen
                                + "/api/v1/hmc/cli")).header("Authorization", "Bearer " + token)
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200 && "0".equals(r.headers().firstValue("X-Parvirt-Exit-Code")
                                .orElse(""))) {
                            acknowledged.add("c" + i);
                        }
                    } catch (Exception e) {
                        return; // the daemon is gone
                    }
                }
            }));
        }
        Await.until("150 acknowledged partitions", Duration.ofSeconds(120), acknowledged::size, n -> n >= 150);
        daemon.destroyForcibly(); // SIGKILL, mid-burst
        killed.set(true);
        daemon.waitFor(30, TimeUnit.SECONDS);
        for (var f : work) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        Process again = ServedHome.serve(home);
        try {
            Set<String> lpars = new HashSet<>(Cli.run(home, "lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name")
                    .stdout().lines().toList());
            Set<String> withProfile = new HashSet<>(Cli.run(home, "lssyscfg", "-r", "prof", "-m", "sys1", "-F",
                    "lpar_name").stdout().lines().toList());
            assertThat(lpars).as("every acknowledged partition survives").containsAll(acknowledged);
            assertThat(withProfile).as("every partition is whole: it has its profile").isEqualTo(lpars);
            assertThat(lpars.size()).as("at most one unacknowledged commit per client in flight")
                    .isLessThanOrEqualTo(acknowledged.size() + 4);
            Cli.Result more = Cli.run(home, "mksyscfg", "-r", "lpar", "-m", "sys1", "-i", record(5000));
            assertThat(more.exit()).as("the store accepts new work after recovery: " + more.stdout()).isZero();
        } finally {
            Cli.run(home, "daemon", "stop");
            again.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
