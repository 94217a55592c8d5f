package io.parvirt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.home.ParvirtHome;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code parvirt guest exec -m SYS -p NAME -- CMD ARGS...}: a parvirt extension (not an HMC
 * command) that runs a program in a running partition through its guest agent, prints its output
 * and exits with its exit code.
 */
@Command(name = "guest", mixinStandardHelpOptions = true, description = "Act inside a running partition.",
        subcommands = GuestCommand.Exec.class)
final class GuestCommand {

    @Command(name = "exec", mixinStandardHelpOptions = true,
            description = "Run a command in the partition (through the guest agent); exit with its exit code.")
    static final class Exec implements Callable<Integer> {
        @Option(names = "-m", required = true, description = "managed system") String system;
        @Option(names = "-p", required = true, description = "partition name") String partition;
        @Option(names = "--timeout", defaultValue = "120", description = "seconds (default 120)") int timeout;
        @Parameters(arity = "1..*", paramLabel = "CMD", description = "program and arguments, after --") List<String> argv;

        @Override
        public Integer call() throws Exception {
            ParvirtHome home = ParvirtHome.fromEnvironment();
            if (!DaemonLauncher.running(home)) {
                DaemonLauncher.start(home);
            }
            ObjectMapper json = new ObjectMapper();
            var body = json.createObjectNode().put("timeout_seconds", timeout);
            argv.forEach(body.putArray("argv")::add);
            UnixHttp.Response r = UnixHttp.post(home.socket(), "/api/v1/partitions/"
                    + java.net.URLEncoder.encode(partition, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20")
                    + "/exec?system=" + java.net.URLEncoder.encode(system, java.nio.charset.StandardCharsets.UTF_8)
                    .replace("+", "%20"), DaemonLauncher.token(home), body.toString());
            JsonNode n = json.readTree(r.body());
            if (r.status() != 200) {
                System.out.println((n.path("code").isTextual() ? n.path("code").asText() + " " : "")
                        + n.path("message").asText(r.body()));
                return 1;
            }
            System.out.print(n.path("stdout").asText());
            System.out.flush();
            System.err.print(n.path("stderr").asText());
            System.err.flush();
            return n.path("exit_code").asInt();
        }
    }
}
