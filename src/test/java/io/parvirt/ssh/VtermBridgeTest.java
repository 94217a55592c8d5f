package io.parvirt.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.ssh.shell.RestrictedShell;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mkvterm inside an SSH shell: keys reach the console session socket, its output reaches the
 * terminal, {@code ~.} at the start of a line leaves the console (not the shell), and the
 * console's HSCL8003 refusal is the command's answer. A stand-in console on a real Unix socket.
 */
@Tag("unit")
class VtermBridgeTest {
    @TempDir
    Path dir;

    /** A console that greets, then records what it is sent until the client hangs up. */
    CompletableFuture<String> console(Path socket, String greeting) throws Exception {
        return console(socket, greeting, false);
    }

    CompletableFuture<String> console(Path socket, String greeting, boolean hangUp) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return CompletableFuture.supplyAsync(() -> {
            try (server; SocketChannel ch = server.accept()) {
                ch.write(ByteBuffer.wrap(greeting.getBytes(StandardCharsets.UTF_8)));
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                if (hangUp) {
                    return "";
                }
                ByteBuffer b = ByteBuffer.allocate(1024);
                while (ch.read(b.clear()) >= 0) {
                    got.write(b.array(), 0, b.position());
                }
                return got.toString(StandardCharsets.UTF_8);
            } catch (Exception e) {
                return "failed: " + e;
            }
        });
    }

    @Test
    void keysGoToTheConsoleAndTildeDotLeavesIt() throws Exception {
        Path socket = dir.resolve("vterm.sock");
        CompletableFuture<String> received = console(socket, "login: ");
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        // "~x" mid-line and at a line start are sent as typed; "~." at a line start detaches.
        RestrictedShell.Commands.Result r = VtermBridge.attach(socket, new ByteArrayInputStream(
                "root\ra~b\r~x\r~.echo after\r".getBytes(StandardCharsets.UTF_8)), terminal);
        assertThat(r.exitCode()).isZero();
        assertThat(received.get()).isEqualTo("root\ra~b\r~x\r");
        assertThat(terminal.toString(StandardCharsets.UTF_8)).isEqualTo("login: ");
    }

    @Test
    void anOpenSessionElsewhereIsTheConsolesRefusal() throws Exception {
        Path socket = dir.resolve("busy.sock");
        console(socket, "HSCL8003 A virtual terminal session is already open for this partition.\n", true);
        RestrictedShell.Commands.Result r = VtermBridge.attach(socket, new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream());
        assertThat(r).isEqualTo(new RestrictedShell.Commands.Result(
                "HSCL8003 A virtual terminal session is already open for this partition.\n", 1));
    }
}
