package io.parvirt.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code ./parvirt} as a user would: a separate process, its own JVM, a given home. */
public final class Cli {
    private Cli() {
    }

    public record Result(int exit, String stdout, String stderr) {
    }

    /** The repository root, where {@code ./parvirt} is. */
    public static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !p.resolve("parvirt").toFile().canExecute()) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("./parvirt not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    public static Result run(Path home, String... args) {
        return runWithInput(home, new byte[0], args);
    }

    /** Runs a command that must succeed. */
    public static Result ok(Path home, String... args) {
        Result r = run(home, args);
        org.assertj.core.api.Assertions.assertThat(r.exit()).as(String.join(" ", args) + ": " + r.stdout()
                + r.stderr()).isZero();
        return r;
    }

    /** With {@code input} on standard input (closed after it). */
    public static Result runWithInput(Path home, byte[] input, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(root().resolve("parvirt").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PARVIRT_HOME", home.toString());
        try {
            Path out = java.nio.file.Files.createTempFile("parvirt-cli-out", ".txt");
            Path err = java.nio.file.Files.createTempFile("parvirt-cli-err", ".txt");
            try {
                // Output to files, not pipes: a command that never ends must not hang the test, only fail it.
                Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                try (var in = p.getOutputStream()) {
                    in.write(input);
                } catch (IOException e) {
                    // the command exited without reading its input
                }
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("parvirt " + String.join(" ", args) + " did not finish in 120 s");
                }
                return new Result(p.exitValue(), java.nio.file.Files.readString(out, StandardCharsets.UTF_8),
                        java.nio.file.Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                java.nio.file.Files.deleteIfExists(out);
                java.nio.file.Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
