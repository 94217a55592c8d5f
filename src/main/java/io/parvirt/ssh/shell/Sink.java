package io.parvirt.ssh.shell;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Where a command prints: a buffer (a pipeline's stage, a command substitution) or the SSH
 * channel. Every sink counts what passes so that a runaway loop cannot fill memory or the link.
 */
abstract class Sink {
    static final long LIMIT = 64L << 20;

    abstract void write(String text);

    static final class Buffer extends Sink {
        private final StringBuilder text = new StringBuilder();

        @Override
        void write(String s) {
            if (text.length() + (long) s.length() > LIMIT) {
                throw new ShellLimitException("output larger than " + (LIMIT >> 20) + " MB");
            }
            text.append(s);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    /** The channel: {@code crlf} on a terminal, whose line discipline is ours to play. */
    static Sink of(OutputStream out, boolean crlf) {
        return new Sink() {
            private long written;

            @Override
            void write(String s) {
                written += s.length();
                if (written > 16 * LIMIT) {
                    throw new ShellLimitException("output larger than " + (16 * LIMIT >> 20) + " MB");
                }
                try {
                    out.write((crlf ? s.replace("\n", "\r\n") : s).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
