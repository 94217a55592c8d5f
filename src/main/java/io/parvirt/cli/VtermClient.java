package io.parvirt.cli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code mkvterm}: joins the caller's terminal to a partition's console session socket. The
 * terminal goes raw, so every key (Ctrl-C too) reaches the guest, as on the HMC; typing {@code ~.}
 * at the start of a line detaches. Returns 0 on detach or when the daemon ends the session
 * (rmvterm), 1 when another session is open (the daemon's HSCL8003 line is printed), 2 when
 * the session socket cannot be reached.
 */
final class VtermClient {
    /**
     * The console's refusal starts with this code: the HMC-style code of the console package's
     * VtermServer.ALREADY_OPEN_CODE, repeated here because the command line does not import the
     * console (the two ends of one socket protocol).
     */
    static final byte[] REFUSED = "HSCL8003 ".getBytes(StandardCharsets.US_ASCII);
    /** The refusal is one short line; a stream that begins like it and runs on is guest output. */
    static final int REFUSAL_MAX = 1024;

    private VtermClient() {
    }

    static int attach(Path sessionSocket, String partitionName) {
        SocketChannel ch = connect(sessionSocket, partitionName);
        if (ch == null) {
            return 2;
        }
        String saved = stdinIsTerminal() ? stty("-g") : null;
        // raw mode outlives the JVM unless restored; the hook covers SIGTERM, SIGHUP and a SIGINT sent
        // from elsewhere (in raw mode Ctrl-C is no signal but a byte for the guest, as on the HMC)
        Thread restore = new Thread(() -> stty(saved));
        if (saved != null) {
            Runtime.getRuntime().addShutdownHook(restore);
            stty("raw", "-echo");
        }
        String refusal;
        try {
            refusal = pump(ch, System.in, System.out);
        } finally {
            if (saved != null) {
                stty(saved); // before the refusal is printed, so its newline is a newline again
                try {
                    Runtime.getRuntime().removeShutdownHook(restore);
                } catch (IllegalStateException e) {
                    // already shutting down: the hook restores the terminal once more, harmlessly
                }
            }
        }
        return report(refusal, System.out);
    }

    /** The same session without a terminal to manage: for pipes and tests. */
    static int attach(Path sessionSocket, String partitionName, InputStream stdin, OutputStream stdout) {
        SocketChannel ch = connect(sessionSocket, partitionName);
        return ch == null ? 2 : report(pump(ch, stdin, stdout), stdout);
    }

    private static SocketChannel connect(Path sessionSocket, String partitionName) {
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(sessionSocket));
            return ch;
        } catch (IOException e) {
            System.err.println("parvirt: the virtual terminal of partition " + partitionName
                    + " is not available (is the partition running?): " + e.getMessage());
            return null;
        }
    }

    private static int report(String refusal, OutputStream stdout) {
        if (refusal == null) {
            return 0;
        }
        try {
            stdout.write(refusal.getBytes(StandardCharsets.UTF_8));
            stdout.flush();
        } catch (IOException e) {
            // nowhere left to say it
        }
        return 1;
    }

    /** Runs the session until detach or end of file; returns the refusal line, or null. */
    private static String pump(SocketChannel ch, InputStream stdin, OutputStream stdout) {
        EscapeScanner escape = new EscapeScanner();
        // a daemon platform thread: a read of System.in cannot be interrupted, so after a detach or
        // rmvterm it stays blocked until the process exits, and must not keep the JVM alive
        Thread.ofPlatform().daemon().name("vterm-stdin").start(() -> {
            byte[] in = new byte[4096];
            byte[] out = new byte[8192];
            try {
                int n;
                while ((n = stdin.read(in)) >= 0) {
                    int m = escape.scan(in, n, out);
                    ch.write(ByteBuffer.wrap(out, 0, m));
                    if (escape.detached) {
                        ch.close(); // wakes the output side, which sees the detach and returns
                        return;
                    }
                }
                ch.write(ByteBuffer.wrap(out, 0, escape.finish(out)));
            } catch (IOException e) {
                // the session ended; the output side reports how
            }
        });
        ByteBuffer buf = ByteBuffer.allocate(8192);
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        boolean deciding = true; // until the first bytes show whether this is the refusal line
        try {
            while (ch.read(buf.clear()) >= 0) {
                int n = buf.position();
                if (deciding) {
                    head.write(buf.array(), 0, n);
                    byte[] seen = head.toByteArray();
                    int k = Math.min(seen.length, REFUSED.length);
                    if (!Arrays.equals(seen, 0, k, REFUSED, 0, k) || seen.length > REFUSAL_MAX) {
                        deciding = false;
                        stdout.write(seen);
                        stdout.flush();
                    }
                    continue;
                }
                stdout.write(buf.array(), 0, n);
                stdout.flush();
            }
        } catch (IOException e) {
            // detached (we closed the socket), or the daemon closed it: both end the session
        }
        byte[] seen = head.toByteArray();
        if (!deciding || seen.length == 0) {
            return null;
        }
        if (seen.length >= REFUSED.length && !escape.detached) {
            String text = new String(seen, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return nl < 0 ? text + "\n" : text.substring(0, nl + 1);
        }
        try { // a session that ended before its output could be told from a refusal: show what came
            stdout.write(seen);
            stdout.flush();
        } catch (IOException e) {
            // nowhere left to show it
        }
        return null;
    }

    /**
     * Finds {@code ~.} typed at the start of a line (after CR or LF, or first); passes all else on.
     * A terminal's answer to the guest's query is not typing: the guest's shell asks for the cursor
     * position at every prompt ({@code ESC [ 6 n}) and the terminal answers on our input ({@code
     * ESC [ row ; col R}, device attributes end in {@code c}, status in {@code n}), right after the
     * Enter that made the prompt; such a control sequence leaves the start-of-line state as it was.
     */
    static final class EscapeScanner {
        private boolean lineStart = true;
        private boolean tilde;
        /** 0 outside a control sequence, 1 after ESC, 2 inside ESC [ ... */
        private int sequence;
        private boolean lineStartBefore;
        volatile boolean detached;

        /** Copies {@code in} to {@code out} (twice as long), holding back a line-initial '~' until the next key. */
        int scan(byte[] in, int n, byte[] out) {
            int m = 0;
            for (int i = 0; i < n; i++) {
                byte b = in[i];
                if (sequence > 0) {
                    out[m++] = b;
                    sequence(b);
                    continue;
                }
                if (tilde) {
                    tilde = false;
                    if (b == '.') {
                        detached = true;
                        return m;
                    }
                    out[m++] = '~';
                } else if (lineStart && b == '~') {
                    tilde = true;
                    continue;
                }
                out[m++] = b;
                if (b == 0x1b) {
                    sequence = 1;
                    lineStartBefore = lineStart;
                }
                lineStart = b == '\r' || b == '\n';
            }
            return m;
        }

        private void sequence(byte b) {
            if (sequence == 1) {
                sequence = b == '[' ? 2 : 0; // ESC and one other key: typed (Alt-key), not a reply
                return;
            }
            if (b >= 0x20 && b <= 0x3f) {
                return; // parameters and intermediates
            }
            sequence = 0;
            if (b == 'R' || b == 'c' || b == 'n') {
                lineStart = lineStartBefore; // a reply: as if it had not come
            }
        }

        /** At end of input, a held '~' was just a '~'. */
        int finish(byte[] out) {
            if (!tilde) {
                return 0;
            }
            tilde = false;
            out[0] = '~';
            return 1;
        }
    }

    /** Whether fd 0 is a terminal; System.console() also asks about stdout, which may be a pipe. */
    private static boolean stdinIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Runs stty on the controlling terminal; returns its output (the settings, for -g), or null. */
    private static String stty(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "/bin/stty";
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/tty")))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
