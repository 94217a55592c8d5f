package io.parvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.console.FakeQemu;
import io.parvirt.console.VirtualConsole;
import io.parvirt.testing.Await;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mkvterm against a real console and a fake QEMU, its keyboard and screen replaced by pipes. */
@Tag("unit")
class VtermClientTest {
    @TempDir
    Path dir;
    FakeQemu qemu;
    VirtualConsole console;
    final PipedOutputStream keys = new PipedOutputStream();
    final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        qemu = new FakeQemu(dir.resolve("serial.sock"));
        console = new VirtualConsole("lpar1", dir.resolve("serial.sock"), dir, vterm(), 1 << 20);
        console.start();
        qemu.awaitConnections(1);
    }

    @AfterEach
    void stop() throws IOException {
        keys.close();
        console.close();
        qemu.close();
    }

    Path vterm() {
        return dir.resolve("vterm.sock");
    }

    /** Runs mkvterm on its own thread, as a user would in another terminal. */
    CompletableFuture<Integer> mkvterm(Supplier<Integer> attach) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> f.complete(attach.get()));
        Await.until("mkvterm attached", Duration.ofSeconds(5), () -> console.sessionOpen() || f.isDone());
        return f;
    }

    CompletableFuture<Integer> mkvterm() throws IOException {
        InputStream stdin = new PipedInputStream(keys, 8192);
        return mkvterm(() -> VtermClient.attach(vterm(), "lpar1", stdin, screen));
    }

    void type(String s) throws IOException {
        keys.write(s.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    @Test
    void tildeDotAtTheStartOfALineDetachesWithZeroAndIsNotSent() throws Exception {
        CompletableFuture<Integer> session = mkvterm();
        type("uname\r");
        qemu.awaitInput("uname\r");
        qemu.write("Linux\r\n");
        Await.until("guest output on screen", Duration.ofSeconds(5), screen::toString, "Linux\r\n"::equals);
        type("~.");
        assertThat(session.get(5, TimeUnit.SECONDS)).isZero();
        Await.until("session ended", Duration.ofSeconds(5), () -> !console.sessionOpen());
        assertThat(qemu.input()).isEqualTo("uname\r");
        assertThat(screen.toString()).isEqualTo("Linux\r\n");
    }

    @Test
    void tildeFollowedByAnythingElseOrInsideALineIsPassedThrough() throws Exception {
        CompletableFuture<Integer> session = mkvterm();
        type("~x");
        type("echo a~.b\n~~");
        qemu.awaitInput("~xecho a~.b\n~~");
        assertThat(session).isNotDone();
        type("\r~.");
        assertThat(session.get(5, TimeUnit.SECONDS)).isZero();
        qemu.awaitInput("~xecho a~.b\n~~\r"); // the last key may still be on its way when mkvterm returns
    }

    @Test
    void aSecondMkvtermPrintsTheAlreadyOpenLineAndReturnsOne() throws Exception {
        CompletableFuture<Integer> first = mkvterm();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        int code = VtermClient.attach(vterm(), "lpar1", new ByteArrayInputStream(new byte[0]), second);
        assertThat(code).isEqualTo(1);
        assertThat(second.toString()).isEqualTo("HSCL8003 The virtual terminal session for partition lpar1 is "
                + "already open. Use rmvterm to close it, then retry.\n");
        assertThat(first).isNotDone();
        qemu.write("still attached\n");
        Await.until("first session", Duration.ofSeconds(5), screen::toString, "still attached\n"::equals);
    }

    @Test
    void rmvtermEndsTheSessionAndMkvtermReturnsZero() throws Exception {
        CompletableFuture<Integer> session = mkvterm();
        type("typed but not yet read ");
        assertThat(console.closeSession()).isTrue();
        assertThat(session.get(5, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void withoutATerminalTheSystemStreamsAreUsedAsTheyAre() throws Exception {
        InputStream in = System.in;
        PrintStream out = System.out;
        System.setIn(new PipedInputStream(keys, 8192));
        System.setOut(new PrintStream(screen, true));
        try {
            CompletableFuture<Integer> session = mkvterm(() -> VtermClient.attach(vterm(), "lpar1"));
            qemu.write("login: ");
            Await.until("prompt on screen", Duration.ofSeconds(5), screen::toString, "login: "::equals);
            type("root\r~.");
            assertThat(session.get(5, TimeUnit.SECONDS)).isZero();
            qemu.awaitInput("root\r");
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
    }

    @Test
    void aPartitionWithoutASessionSocketReturnsTwo() {
        int code = VtermClient.attach(dir.resolve("none.sock"), "lpar9", new ByteArrayInputStream(new byte[0]),
                screen);
        assertThat(code).isEqualTo(2);
        assertThat(screen.size()).isZero();
    }

    @Test
    void theEscapeScannerHoldsALineInitialTildeUntilTheNextKey() {
        VtermClient.EscapeScanner s = new VtermClient.EscapeScanner();
        byte[] out = new byte[16];
        assertThat(s.scan("~".getBytes(), 1, out)).isZero();
        assertThat(s.scan("~".getBytes(), 1, out)).isEqualTo(2);
        assertThat(new String(out, 0, 2)).isEqualTo("~~");
        assertThat(s.scan("\r~".getBytes(), 2, out)).isEqualTo(1);
        assertThat(s.finish(out)).isEqualTo(1);
        assertThat(s.detached).isFalse();
    }

    /** Issue 16: the terminal's answer to the prompt's ESC [ 6 n arrives between Enter and "~.". */
    @Test
    void aCursorPositionReplyAfterEnterDoesNotStopTildeDotFromDetaching() {
        VtermClient.EscapeScanner s = new VtermClient.EscapeScanner();
        byte[] out = new byte[64];
        int n = s.scan("\r\u001b[24;3R~".getBytes(), 9, out);
        assertThat(new String(out, 0, n)).as("Enter and the reply go to the guest, the tilde is held")
                .isEqualTo("\r\u001b[24;3R");
        assertThat(s.scan(".".getBytes(), 1, out)).isZero();
        assertThat(s.detached).isTrue();
    }

    @Test
    void anArrowKeyTypedAfterEnterIsTypingSoATildeAfterItIsSentOn() {
        VtermClient.EscapeScanner s = new VtermClient.EscapeScanner();
        byte[] out = new byte[64];
        int n = s.scan("\r\u001b[A~.".getBytes(), 6, out);
        assertThat(new String(out, 0, n)).isEqualTo("\r\u001b[A~.");
        assertThat(s.detached).isFalse();
    }
}
