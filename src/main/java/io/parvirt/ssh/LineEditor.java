package io.parvirt.ssh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Line editing for an interactive session. With a terminal (the client asked for a pty, so its
 * keys arrive one by one, unechoed) this is the line discipline: echo, Backspace, Ctrl-U, Ctrl-C,
 * Ctrl-D on an empty line, and Up/Down through this session's history. Without one, lines are read
 * as they come.
 */
final class LineEditor {
    private static final int MAX_LINE = 64 * 1024;
    private final InputStream in;
    private final OutputStream out;
    private final boolean terminal;
    private final List<String> history = new ArrayList<>();

    LineEditor(InputStream in, OutputStream out, boolean terminal) {
        this.in = in;
        this.out = out;
        this.terminal = terminal;
    }

    /** The next line, or null when the client ends the session. */
    String readLine(String prompt) {
        try {
            write(prompt);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int recalled = history.size();
            while (true) {
                int c = in.read();
                if (c < 0) {
                    return null;
                }
                if (!terminal) {
                    if (c == '\n') {
                        return line.toString(StandardCharsets.UTF_8);
                    }
                    if (line.size() < MAX_LINE) {
                        line.write(c);
                    }
                    continue;
                }
                switch (c) {
                    case '\r', '\n' -> {
                        write("\r\n");
                        String text = line.toString(StandardCharsets.UTF_8);
                        if (!text.isBlank()) {
                            history.add(text);
                        }
                        return text;
                    }
                    case 0x7f, 0x08 -> {
                        if (line.size() > 0) {
                            erase(line);
                            write("\b \b");
                        }
                    }
                    case 0x15 -> { // Ctrl-U
                        while (line.size() > 0) {
                            erase(line);
                            write("\b \b");
                        }
                    }
                    case 0x03 -> { // Ctrl-C: a fresh line
                        write("^C\r\n" + prompt);
                        line.reset();
                    }
                    case 0x04 -> {
                        if (line.size() == 0) {
                            write("exit\r\n");
                            return null;
                        }
                    }
                    case 0x1b -> recalled = escape(line, recalled);
                    default -> {
                        if ((c >= 0x20 || c == '\t') && line.size() < MAX_LINE) {
                            line.write(c);
                            out.write(c);
                            out.flush();
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ESC [ A / B: the previous or next line of the history; other sequences are dropped. */
    private int escape(ByteArrayOutputStream line, int recalled) throws IOException {
        int b = in.read();
        if (b != '[' && b != 'O') {
            return recalled;
        }
        int k = in.read();
        while (k >= '0' && k <= '9' || k == ';') {
            k = in.read();
        }
        int next = k == 'A' ? Math.max(0, recalled - 1) : k == 'B' ? Math.min(history.size(), recalled + 1) : -1;
        if (next < 0 || next == recalled) {
            return recalled;
        }
        while (line.size() > 0) {
            erase(line);
            write("\b \b");
        }
        String text = next < history.size() ? history.get(next) : "";
        line.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        write(text);
        return next;
    }

    /** Removes the last character, all of its UTF-8 bytes. */
    private static void erase(ByteArrayOutputStream line) {
        byte[] b = line.toByteArray();
        int n = b.length - 1;
        while (n > 0 && (b[n] & 0xC0) == 0x80) {
            n--;
        }
        line.reset();
        line.write(b, 0, n);
    }

    private void write(String s) throws IOException {
        if (!s.isEmpty()) {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
