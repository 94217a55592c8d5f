package io.parvirt.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One host program run to completion, started directly (never through a shell, so no argument is
 * ever parsed twice). The image build needs a handful: apt-get, apt-cache, dpkg-deb, ldd, xz, zstd.
 */
final class HostProgram {
    /** The Debian package that provides each program the build runs, for the fix in an error. */
    private static final Map<String, String> PACKAGE_OF = Map.of(
            "apt-get", "apt", "apt-cache", "apt", "dpkg-deb", "dpkg", "dpkg-query", "dpkg", "ldd", "libc-bin",
            "xz", "xz-utils", "zstd", "zstd");

    record Result(int exitCode, byte[] stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /** The last line of stderr, what apt and dpkg put their reason in. */
        String reason() {
            String e = stderr.strip();
            return e.isEmpty() ? "exit code " + exitCode : e.substring(e.lastIndexOf('\n') + 1);
        }
    }

    private HostProgram() {
    }

    static Result run(Path dir, Duration timeout, List<String> command) throws ImageException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(nullFile()));
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        // The build must not depend on how the JVM was started: ldd would follow these.
        pb.environment().remove("LD_LIBRARY_PATH");
        pb.environment().remove("LD_PRELOAD");
        pb.environment().put("LC_ALL", "C"); // apt's messages are parsed
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            String program = command.getFirst();
            throw new ImageException(program + " is not installed on this host",
                    asRoot("apt-get install -y " + PACKAGE_OF.getOrDefault(program, program)), e);
        }
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()),
                Thread::startVirtualThread);
        try {
            byte[] out = drain(p.getInputStream());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new ImageException(String.join(" ", command) + " did not finish within " + timeout, null);
            }
            return new Result(p.exitValue(), out, new String(err.join(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while running " + command.getFirst(), null, e);
        } catch (UncheckedIOException e) {
            p.destroyForcibly();
            throw new ImageException("cannot read the output of " + command.getFirst(), null, e);
        }
    }

    /** Runs the program and fails with its own reason unless it succeeds. */
    static Result check(Path dir, Duration timeout, List<String> command) throws ImageException {
        Result r = run(dir, timeout, command);
        if (!r.ok()) {
            throw new ImageException(String.join(" ", command) + " failed: " + r.reason(), null);
        }
        return r;
    }

    /** Whether this process may install packages and update apt's lists itself. */
    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A command as the operator must type it: with sudo unless parvirt already runs as root. */
    static String asRoot(String command) {
        return isRoot() ? command : "sudo " + command;
    }

    private static byte[] drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static java.io.File nullFile() {
        return new java.io.File("/dev/null");
    }
}
