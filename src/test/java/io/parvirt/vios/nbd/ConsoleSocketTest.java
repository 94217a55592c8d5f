package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VIOS console socket: a banner, then every status line, to every client, never waiting for one. */
@Tag("unit")
class ConsoleSocketTest {
    static final Pattern STAMPED = Pattern.compile("(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) (.*)");

    @TempDir
    Path tmp;
    ConsoleSocket console;

    @AfterEach
    void close() {
        if (console != null) {
            console.close();
        }
    }

    /** One client as the daemon's console code is: it reads bytes and splits lines at CR LF. */
    static final class Terminal implements AutoCloseable {
        final SocketChannel channel;
        final BufferedReader in;

        Terminal(Path socket) throws IOException {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        }

        /** The next line without its CR LF, asserting it ended with CR LF; null at end of stream. */
        String line() throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    assertThat(b.toString()).as("line ends with CR LF").endsWith("\r");
                    return b.substring(0, b.length() - 1);
                }
                b.append((char) c);
            }
            return b.isEmpty() ? null : b.toString();
        }

        /** The text of the next status line, asserting its ISO-8601 UTC time. */
        String status() throws IOException {
            String l = line();
            assertThat(l).isNotNull();
            Matcher m = STAMPED.matcher(l);
            assertThat(m.matches()).as("stamped: %s", l).isTrue();
            return m.group(2);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    @Test
    void aClientGetsTheBannerThenTheLinesSentAfterItConnected() throws IOException, InterruptedException {
        console = ConsoleSocket.open(tmp.resolve("console.sock"), () -> "parvirt VIOS storage server (pid 1): exports: a");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(console.path()))).isEqualTo("rw-------");
        console.send("before anyone connected");
        try (Terminal t = new Terminal(console.path())) {
            assertThat(t.line()).isEqualTo("parvirt VIOS storage server (pid 1): exports: a");
            // the banner is queued when the client is admitted: lines sent after it arrive after it
            awaitClients(1);
            console.send("serving b 4096 /s/b.sock");
            t.channel.write(ByteBuffer.wrap("lsmap\r\n".getBytes(StandardCharsets.UTF_8))); // read and discarded
            console.send("reloaded 2 exports");
            assertThat(t.status()).isEqualTo("serving b 4096 /s/b.sock");
            assertThat(t.status()).isEqualTo("reloaded 2 exports");
        }
    }

    @Test
    void everyClientGetsEveryLine() throws IOException, InterruptedException {
        console = ConsoleSocket.open(tmp.resolve("console.sock"), () -> "banner");
        try (Terminal one = new Terminal(console.path()); Terminal two = new Terminal(console.path())) {
            assertThat(one.line()).isEqualTo("banner");
            assertThat(two.line()).isEqualTo("banner");
            awaitClients(2);
            console.send("withdrawn a");
            assertThat(one.status()).isEqualTo("withdrawn a");
            assertThat(two.status()).isEqualTo("withdrawn a");
        }
    }

    @Test
    void aClientThatDoesNotReadMissesLinesAndIsToldHowMany() throws Exception {
        console = ConsoleSocket.open(tmp.resolve("console.sock"), () -> "banner");
        String padding = "x".repeat(200);
        int sent = 20_000; // about 4 MB: far more than the socket buffer and the queue hold
        try (Terminal idle = new Terminal(console.path())) {
            awaitClients(1);
            // with a client that reads nothing connected, every send returns
            for (int i = 0; i < sent; i++) {
                console.send("line " + i + " " + padding);
            }
            try (Terminal late = new Terminal(console.path())) {
                assertThat(late.line()).isEqualTo("banner");
                console.send("still serving");
                assertThat(late.status()).isEqualTo("still serving");
            }

            // The idle client now reads: the oldest lines, then how many it missed, then what is sent
            // once its queue has room again. Lines are sent until it has seen that.
            List<String> got = new ArrayList<>();
            List<Throwable> failed = new ArrayList<>();
            Thread reading = Thread.ofPlatform().start(() -> {
                try {
                    assertThat(idle.line()).isEqualTo("banner");
                    boolean told = false;
                    while (true) {
                        String l = idle.status();
                        synchronized (got) {
                            got.add(l);
                        }
                        told |= l.startsWith("console: ");
                        if (told && l.startsWith("later ")) {
                            return;
                        }
                    }
                } catch (IOException | RuntimeException | AssertionError e) {
                    synchronized (got) {
                        failed.add(e);
                    }
                }
            });
            for (int i = 0; reading.isAlive() && i < 10_000; i++) {
                console.send("later " + i);
                Thread.sleep(2); // deliberate: paces the lines so the reader sees a stream, not one burst
            }
            if (reading.isAlive()) {
                idle.close(); // ends the reader, which then reports what it was waiting for
            }
            reading.join();
            List<String> lines;
            synchronized (got) {
                lines = List.copyOf(got);
                assertThat(failed).as("the reader's failure, after %s", lines.subList(Math.max(0, lines.size() - 3),
                        lines.size())).isEmpty();
            }
            // Every line sent is there or counted where it is missing, in order. The queue may
            // have emptied into the socket buffer while the flood went on: then there are several gaps.
            Pattern notice = Pattern.compile("console: (\\d+) lines dropped \\(the client did not read\\)");
            int next = 0;
            int missed = 0;
            int gaps = 0;
            int i = 0;
            for (; i < lines.size() && !lines.get(i).startsWith("later "); i++) {
                String l = lines.get(i);
                Matcher m = notice.matcher(l);
                if (m.matches()) {
                    assertThat(missed).as("one notice per gap, before the line after it").isZero();
                    missed = Integer.parseInt(m.group(1));
                    gaps++;
                } else {
                    int at = next + missed; // "still serving" was sent right after the flood
                    assertThat(l).as("message %d, after %d dropped", at, missed)
                            .startsWith(at < sent ? "line " + at + " " : "still serving");
                    next += missed + 1;
                    missed = 0;
                }
            }
            assertThat(gaps).isPositive();
            assertThat(next + missed).as("the flood's lines after the last delivered one, and \"still serving\", counted")
                    .isGreaterThanOrEqualTo(sent + 1);
            assertThat(lines.subList(i, lines.size())).allMatch(l -> l.startsWith("later "));
        }
    }

    @Test
    void closingRemovesTheSocketAndEndsEveryClient() throws IOException, InterruptedException {
        console = ConsoleSocket.open(tmp.resolve("console.sock"), () -> "banner");
        try (Terminal t = new Terminal(console.path())) {
            assertThat(t.line()).isEqualTo("banner");
            console.close();
            assertThat(t.line()).isNull();
        }
        assertThat(tmp.resolve("console.sock")).doesNotExist();
    }

    @Test
    void aLiveConsoleIsNotTakenOverButAStaleSocketFileIsReplaced() throws IOException {
        console = ConsoleSocket.open(tmp.resolve("console.sock"), () -> "first");
        assertThatThrownBy(() -> ConsoleSocket.open(tmp.resolve("console.sock"), () -> "second"))
                .isInstanceOf(IOException.class).hasMessageContaining("another process listens there");
        console.close();
        ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        crashed.bind(UnixDomainSocketAddress.of(tmp.resolve("console.sock")));
        crashed.close(); // the file stays and no one listens: a crashed server's
        console = ConsoleSocket.open(tmp.resolve("console.sock"), () -> "third");
        try (Terminal t = new Terminal(console.path())) {
            assertThat(t.line()).isEqualTo("third");
        }
        Files.writeString(tmp.resolve("notes"), "x");
        assertThatThrownBy(() -> ConsoleSocket.open(tmp.resolve("notes"), () -> "second"))
                .isInstanceOf(IOException.class).hasMessageContaining("exists and is not a socket");
    }

    private void awaitClients(int n) throws InterruptedException {
        // a client is admitted by the accept thread some time after connect() returns
        Await.until(n + " clients admitted", () -> console.clientCount(), v -> v == n);
    }
}
