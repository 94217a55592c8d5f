package io.parvirt.ssh;

import io.parvirt.ssh.shell.RestrictedShell;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code mkvterm} inside an SSH session: joins the session's terminal to the console session
 * socket the daemon opened (the protocol {@code cli.VtermClient} speaks: raw bytes both ways, a
 * first line {@code HSCL8003 …} when another session holds the console). {@code ~.} at the start
 * of a line leaves the console and returns to the shell; the channel's input is read on the
 * calling thread, so no keystroke meant for the shell is taken after the detach.
 */
final class VtermBridge {
    private static final byte[] REFUSED = "HSCL8003 ".getBytes(StandardCharsets.US_ASCII);

    private VtermBridge() {
    }

    static RestrictedShell.Commands.Result attach(Path socket, InputStream in, OutputStream out) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return new RestrictedShell.Commands.Result("HSCL8003 The virtual terminal is not available: "
                    + e.getMessage() + "\n", 1);
        }
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        Thread output = Thread.ofVirtual().name("ssh-vterm-out").start(() -> copyOut(ch, out, head));
        try {
            Escape escape = new Escape();
            while (output.isAlive()) {
                // Polled, so that a console that ends (rmvterm, the refusal line) returns to the
                // shell at once rather than at the next key.
                if (in.available() == 0) {
                    Thread.sleep(10);
                    continue;
                }
                int c = in.read();
                byte[] send = c < 0 ? null : escape.feed(c);
                if (send == null) {
                    break;
                }
                ch.write(ByteBuffer.wrap(send));
            }
        } catch (IOException e) {
            // the daemon ended the session (rmvterm) or the partition stopped
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the SSH session is going away
        } finally {
            try {
                // Half-close first, so the console sees the end of input and what it already sent
                // is read, rather than reset by a close with unread data.
                ch.shutdownOutput();
                output.join(200);
                ch.close();
                output.join();
            } catch (IOException | InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] seen = head.toByteArray();
        if (seen.length >= REFUSED.length && java.util.Arrays.equals(seen, 0, REFUSED.length, REFUSED, 0,
                REFUSED.length)) {
            return new RestrictedShell.Commands.Result(new String(seen, StandardCharsets.UTF_8).lines().findFirst()
                    .orElse("") + "\n", 1);
        }
        return new RestrictedShell.Commands.Result("\r\n", 0);
    }

    /**
     * Finds {@code ~.} at the start of a line in what the terminal sends. A terminal's answer to
     * a query the console made (cursor position {@code ESC [ row ; col R}, device attributes
     * {@code ESC [ ? ... c}, status {@code ESC [ n}) is not typing: it leaves the line start as it
     * was, so a prompt that asks where the cursor is (busybox and readline do) does not hide the
     * escape. Other escape sequences (arrow keys) do end the line start.
     */
    static final class Escape {
        private static final byte[] NOTHING = {};
        private boolean lineStart = true;
        private boolean tilde;
        private int esc; // 0: none, 1: after ESC, 2: inside a CSI sequence
        private boolean lineStartBeforeEsc;

        /** The bytes to send the console for key {@code c}, or null for {@code ~.}: leave. */
        byte[] feed(int c) {
            if (tilde) {
                tilde = false;
                if (c == '.') {
                    return null;
                }
                byte[] rest = feed(c);
                byte[] out = new byte[rest.length + 1];
                out[0] = '~';
                System.arraycopy(rest, 0, out, 1, rest.length);
                return out;
            }
            if (esc == 1) {
                esc = c == '[' ? 2 : 0;
                lineStart = esc == 2 && lineStartBeforeEsc;
            } else if (esc == 2) {
                if (c >= 0x40 && c <= 0x7e) {
                    esc = 0;
                    lineStart = (c == 'R' || c == 'c' || c == 'n') && lineStartBeforeEsc;
                }
            } else if (c == 0x1b) {
                esc = 1;
                lineStartBeforeEsc = lineStart;
            } else if (lineStart && c == '~') {
                tilde = true;
                return NOTHING;
            } else {
                lineStart = c == '\r' || c == '\n';
            }
            return new byte[] {(byte) c};
        }
    }

    private static void copyOut(SocketChannel ch, OutputStream out, ByteArrayOutputStream head) {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        boolean deciding = true; // until the first bytes show whether this is the refusal line
        try {
            while (ch.read(buf.clear()) >= 0) {
                if (deciding) {
                    head.write(buf.array(), 0, buf.position());
                    byte[] seen = head.toByteArray();
                    if (!startsLikeRefusal(seen) || seen.length > 1024) {
                        deciding = false;
                        head.reset();
                        out.write(seen);
                        out.flush();
                    }
                    continue;
                }
                out.write(buf.array(), 0, buf.position());
                out.flush();
            }
        } catch (IOException e) {
            // closed: detached, or the session ended
        }
    }

    private static boolean startsLikeRefusal(byte[] seen) {
        int k = Math.min(seen.length, REFUSED.length);
        return java.util.Arrays.equals(seen, 0, k, REFUSED, 0, k);
    }

    /** Frees a console session no terminal will use. */
    static void close(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            // already gone
        }
    }
}
