package io.parvirt.image;

import io.parvirt.testing.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A QEMU guest booted from an image the way parvirt boots one under TCG: q35, serial console to a
 * file, the guest agent on a Unix socket. Closing it always kills QEMU.
 */
public final class GuestVm implements AutoCloseable {
    final Path dir;
    final Path serial;
    public final Path agentSocket;
    final Path qmpSocket;
    final Process qemu;
    final long startedNanos = System.nanoTime();

    public GuestVm(PartitionImage image, String cmdline, Path dir, List<String> extraArgs) throws IOException {
        this.dir = dir;
        this.serial = dir.resolve("serial.log");
        this.agentSocket = dir.resolve("qga.sock");
        this.qmpSocket = dir.resolve("qmp.sock");
        List<String> args = new ArrayList<>(List.of("qemu-system-x86_64", "-machine", "q35", "-accel", "tcg",
                "-cpu", "max", "-m", "256", "-smp", "1", "-nodefaults", "-display", "none", "-no-reboot",
                "-kernel", image.kernel().toString(), "-initrd", image.initramfs().toString(), "-append", cmdline,
                "-serial", "file:" + serial,
                "-device", "virtio-serial-pci",
                "-chardev", "socket,id=qga,path=" + agentSocket + ",server=on,wait=off",
                "-device", "virtserialport,chardev=qga,name=org.qemu.guest_agent.0",
                "-qmp", "unix:" + qmpSocket + ",server=on,wait=off"));
        args.addAll(extraArgs);
        qemu = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile())
                .start();
    }

    /** Waits for a console line containing {@code text}; returns the seconds since QEMU started. */
    public double awaitConsole(String text, Duration timeout) {
        Await.on("\"" + text + "\" on the console", () -> {
            String console = console();
            if (!console.contains(text) && !qemu.isAlive()) {
                throw new AssertionError("QEMU exited (" + qemu.exitValue() + ") before \"" + text + "\":\n"
                        + console + "\n" + Files.readString(dir.resolve("qemu.log")));
            }
            return console;
        }).within(timeout).every(Duration.ofMillis(50)).until(c -> c.contains(text));
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    public String console() throws IOException {
        return Files.exists(serial) ? new String(Files.readAllBytes(serial), StandardCharsets.UTF_8) : "";
    }

    boolean exitsWithin(Duration timeout) throws InterruptedException {
        return qemu.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        qemu.destroyForcibly();
        try {
            qemu.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
