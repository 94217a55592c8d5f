package io.parvirt.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.it.Cli;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: an {@code ssh.listen} port that is in use stops the daemon at its start with one line
 * naming the address, exit 1, whether it is started by {@code serve} or by the first HMC command;
 * the API never answers in between (before, the CLI that started the daemon was served once and
 * the failure surfaced only at the next command, as a stack trace in daemon.out).
 */
@Tag("daemon")
class SshPortInUseTest {
    @Test
    void aTakenSshPortStopsTheStartWithOneLineAndNothingAnswers(@TempDir Path home) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            Files.writeString(home.resolve("parvirt.properties"), "listen=127.0.0.1:0\nssh.listen=" + address + "\n");

            Cli.Result serve = Cli.run(home, "serve");
            assertThat(serve.exit()).isEqualTo(1);
            assertThat(serve.stderr()).contains("parvirt: cannot serve SSH on " + address + " (")
                    .contains("ssh.listen=");
            assertThat(serve.stdout()).doesNotContain("serving");

            Cli.Result command = Cli.run(home, "lssyscfg", "-r", "sys", "-F", "name");
            assertThat(command.exit()).isNotZero();
            assertThat(command.stdout()).isEmpty();
            assertThat(command.stderr()).contains("the daemon exited at start (code 1): cannot serve SSH on " + address);
            assertThat(home.resolve("run/api.sock")).doesNotExist();
            assertThat(Cli.run(home, "daemon", "status").exit()).isEqualTo(3);
        }
    }
}
