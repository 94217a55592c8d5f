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
        List<String> cmd = new ArrayList<>();
        cmd.add(root().resolve("parvirt").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PARVIRT_HOME", home.toString());
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            var out = p.getInputStream().readAllBytes();
            var err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("parvirt " + String.join(" ", args) + " did not finish");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                    new String(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
