package io.parvirt.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A fresh home for CLI tests: its daemon is started by the CLI itself and stopped on close. */
public final class CliHome implements AutoCloseable {
    private final Path dir;

    public CliHome(String config) {
        try {
            dir = Files.createTempDirectory("parvirt-cli-");
            // The shared, already built images: no daemon of a CLI test builds one of its own.
            Files.writeString(dir.resolve("parvirt.properties"), config + "images.dir=" + RunningDaemon.sharedImages()
                    + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public CliHome() {
        this("system.name=sys1\nlisten=127.0.0.1:0\n");
    }

    public Path dir() {
        return dir;
    }

    public Cli.Result run(String... args) {
        return Cli.run(dir, args);
    }

    @Override
    public void close() {
        Cli.run(dir, "daemon", "stop");
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory
        }
    }
}
