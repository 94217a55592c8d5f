package io.parvirt.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Programs the tests call on the host, installed through apt when missing and we are root. */
final class HostTools {
    private HostTools() {
    }

    static void require(String program, String debianPackage) throws IOException, InterruptedException {
        if (onPath(program)) {
            return;
        }
        assertThat(HostProgram.isRoot()).as("%s is missing; run: sudo apt-get install -y %s", program, debianPackage)
                .isTrue();
        Process p = new ProcessBuilder("apt-get", "install", "-y", debianPackage).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0).as("apt-get install %s", debianPackage)
                .isTrue();
        assertThat(onPath(program)).as(program).isTrue();
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
