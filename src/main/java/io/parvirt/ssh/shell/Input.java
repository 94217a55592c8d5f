package io.parvirt.ssh.shell;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A command's standard input: the text a pipeline's previous stage printed, a process
 * substitution's output, or the SSH channel's own input (read lazily, a line at a time, so that a
 * {@code read} at the top level takes only what it needs).
 */
abstract class Input {
    static final Input EMPTY = of("");

    /** The next line without its newline, or null at the end. */
    abstract String readLine();

    /** Everything left. */
    String readAll() {
        StringBuilder b = new StringBuilder();
        String line;
        while ((line = readLine()) != null) {
            b.append(line).append('\n');
        }
        return b.toString();
    }

    static Input of(String text) {
        return new Input() {
            private int pos;

            @Override
            String readLine() {
                if (pos >= text.length()) {
                    return null;
                }
                int nl = text.indexOf('\n', pos);
                String line = text.substring(pos, nl < 0 ? text.length() : nl);
                pos = nl < 0 ? text.length() : nl + 1;
                return line;
            }

            @Override
            String readAll() {
                String rest = text.substring(Math.min(pos, text.length()));
                pos = text.length();
                return rest;
            }
        };
    }

    static Input of(InputStream in) {
        return new Input() {
            private boolean ended;

            @Override
            String readLine() {
                if (ended) {
                    return null;
                }
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                try {
                    int c;
                    while ((c = in.read()) >= 0 && c != '\n') {
                        b.write(c);
                    }
                    if (c < 0) {
                        ended = true;
                        if (b.size() == 0) {
                            return null;
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return b.toString(StandardCharsets.UTF_8);
            }
        };
    }
}
