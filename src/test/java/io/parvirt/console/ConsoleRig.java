package io.parvirt.console;

import io.parvirt.testing.Await;
import java.io.IOException;
import java.nio.file.Path;

/** A started console wired to a fake QEMU in one directory: serial.sock, vterm.sock and logs/. */
final class ConsoleRig implements AutoCloseable {
    final Path dir;
    final FakeQemu qemu;
    final VirtualConsole console;

    ConsoleRig(Path dir, long rotateBytes) throws IOException {
        this.dir = dir;
        this.qemu = new FakeQemu(dir.resolve("serial.sock"));
        this.console = new VirtualConsole("lpar1", dir.resolve("serial.sock"), logs(), vterm(), rotateBytes);
        console.start();
        qemu.awaitConnections(1);
    }

    Path logs() {
        return dir.resolve("logs");
    }

    Path vterm() {
        return dir.resolve("vterm.sock");
    }

    Path log(String suffix) {
        return logs().resolve("lpar1.log" + suffix);
    }

    /** Waits until the console has taken in {@code n} bytes of output in all. */
    void awaitOutput(long n) {
        Await.until(n + " bytes of output", java.time.Duration.ofSeconds(10), () -> console.counters().outputBytes(),
                have -> have >= n);
    }

    @Override
    public void close() throws IOException {
        console.close();
        qemu.close();
    }
}
