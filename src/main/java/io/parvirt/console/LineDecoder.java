package io.parvirt.console;

/**
 * The console's codec: cuts the guest's byte stream into lines. A line ends at LF; a CR just
 * before it is dropped because serial consoles end lines with CR LF. Reads split lines anywhere,
 * so a partial line waits here for the rest, across reads and across chardev reconnects.
 * A line longer than {@link #MAX_LINE} bytes is handed on in pieces of that size: listeners look
 * for short markers (the ready line, "Kernel panic"), and an unbounded line must not grow memory.
 */
final class LineDecoder {
    static final int MAX_LINE = 4096;

    /** Where complete lines go, still as bytes so nothing is decoded when nobody listens. */
    interface Sink {
        void line(byte[] bytes, int length);
    }

    private final byte[] line = new byte[MAX_LINE];
    private final Sink sink;
    private int length;

    LineDecoder(Sink sink) {
        this.sink = sink;
    }

    void feed(byte[] bytes, int offset, int count) {
        for (int i = offset, end = offset + count; i < end; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                emit();
            } else {
                if (length == MAX_LINE) {
                    emit();
                }
                line[length++] = b;
            }
        }
    }

    private void emit() {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        length = 0;
        sink.line(line, end);
    }
}
