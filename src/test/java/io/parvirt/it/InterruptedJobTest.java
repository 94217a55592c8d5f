package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: a backup job in progress when its daemon is SIGKILLed does not vanish. The restarted
 * daemon lists it ({@code lslparjob}) as interrupted, naming the phase it was in, with its partial
 * archive deleted and no archive written; {@code rmlparjob} removes it from the list, and the next
 * job's id follows it. The partition is Not Activated (its disk is read here, the VIOS need not
 * run): no guest.
 */
@Tag("daemon")
class InterruptedJobTest {
    static final long DATA = 768L << 20; // random, so the archive's zstd and SHA-256 take a while

    @Test
    void aBackupJobInterruptedBySigkillIsListedAsInterruptedAndItsPartialArchiveIsGone(@TempDir Path home)
            throws Exception {
        // its own empty images directory: it activates nothing, so no default image is built for it
        Files.writeString(home.resolve("parvirt.properties"), "system.name=sys1\nlisten=127.0.0.1:0\nimages.dir="
                + home.resolve("images") + "\n");
        Process daemon = ServedHome.serve(home);
        Http http = new Http(home);
        String common = "min_mem=256,desired_mem=256,max_mem=512,min_procs=1,desired_procs=1,max_procs=1";
        http.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=vios1,lpar_id=2,profile_name=default,"
                + "lpar_env=vioserver," + common + ",\"virtual_scsi_adapters=11/server/any//any/1\"");
        http.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=A,lpar_id=5,profile_name=default,"
                + "lpar_env=aixlinux," + common + ",virtual_scsi_adapters=2/client//vios1/11/1");
        http.ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mksp -fb pool1 -size 2G");
        http.ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mkbdsp -sp pool1 1G -bd bdA -vadapter vhost0");
        fillWithRandomData(find(home, "bdA"));

        CompletableFuture<String> backup = CompletableFuture.supplyAsync(() -> http.run("bklpar", "-m", "sys1", "-p",
                "A", "-f", "a1.bk"));
        String running = Await.on("the backup job to be listed", () -> http.run("lslparjob", "-m", "sys1", "-F",
                "job_id,operation,lpar_name,status")).within(Duration.ofSeconds(60)).every(Duration.ofMillis(20))
                .until(s -> s.contains("backup"));
        assertThat(running).isEqualTo("1,backup,A,running\n");
        Await.on("its partial archive", () -> partials(home)).within(Duration.ofSeconds(60))
                .every(Duration.ofMillis(20)).until(l -> !l.isEmpty());
        daemon.destroyForcibly(); // SIGKILL, mid-backup
        daemon.waitFor(30, TimeUnit.SECONDS);
        backup.handle((out, e) -> out).get(30, TimeUnit.SECONDS);

        Process again = ServedHome.serve(home);
        try {
            Http http2 = new Http(home);
            String listed = http2.run("lslparjob", "-m", "sys1", "-F", "job_id,operation,lpar_name,file,status,reason");
            assertThat(listed).matches("1,backup,A,a1\\.bk,interrupted,\"?the daemon stopped during its [a-z]+ phase "
                    + "\\(started [^)]+\\); [1-9] partial files? removed\"?\n");
            assertThat(partials(home)).isEmpty();
            assertThat(home.resolve("backups/a1.bk")).doesNotExist();
            // a snapshot, a removal or a new job of the partition is not held up by the interrupted one
            assertThat(http2.run("rmlparjob", "-m", "sys1", "--id", "1")).isEmpty();
            assertThat(http2.run("lslparjob", "-m", "sys1")).isEqualTo("No results were found.\n");
            assertThat(Files.readString(home.resolve("lparjobs.json"))).isEqualTo("[]");
        } finally {
            again.destroy();
            again.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Hidden files a backup leaves half-written: its partial archive, scratch copies beside disks. */
    private static List<Path> partials(Path home) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> s = Files.walk(home)) {
                return s.filter(p -> p.getFileName().toString().endsWith(".partial")
                        || p.getFileName().toString().startsWith(".bk")).collect(Collectors.toList());
            } catch (java.io.UncheckedIOException e) {
                // the daemon's atomic writes rename their temporary files away mid-walk: walk again
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private static Path find(Path home, String name) throws IOException {
        try (Stream<Path> s = Files.walk(home)) {
            return s.filter(p -> p.getFileName().toString().equals(name) && Files.isRegularFile(p)).findFirst()
                    .orElseThrow();
        }
    }

    private static void fillWithRandomData(Path disk) throws IOException {
        SplittableRandom r = new SplittableRandom(19);
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            for (long at = 0; at < DATA; at += b.capacity()) {
                b.clear();
                while (b.hasRemaining()) {
                    b.putLong(r.nextLong());
                }
                b.flip();
                while (b.hasRemaining()) {
                    ch.write(b, at + b.position());
                }
            }
        }
    }

    /** HMC commands over the daemon's API, as its CLI sends them (no JVM per poll). */
    record Http(String listen, String token, HttpClient client) {
        Http(Path home) throws IOException {
            this(Files.readString(home.resolve("run/listen")).strip(), Files.readString(home.resolve("run/token"))
                    .strip(), HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
        }

        String run(String... argv) {
            String body = "{\"argv\":[" + Stream.of(argv).map(a -> "\"" + a.replace("\\", "\\\\").replace("\"", "\\\"")
                    + "\"").collect(Collectors.joining(",")) + "]}";
            try {
                return client.send(HttpRequest.newBuilder(URI.create("http://" + listen + "/api/v1/hmc/cli"))
                        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        void ok(String... argv) {
            assertThat(run(argv)).as(String.join(" ", argv)).isEmpty();
        }
    }
}
