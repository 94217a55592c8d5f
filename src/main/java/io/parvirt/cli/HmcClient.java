package io.parvirt.cli;

import io.parvirt.home.ParvirtHome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Sends one HMC command to the home's daemon and prints its standard output, exiting with its code. */
final class HmcClient {
    private HmcClient() {
    }

    private static String partitionArg(String[] args) {
        for (int i = 1; i + 1 < args.length; i++) {
            if (args[i].equals("-p") || args[i].equals("--id")) {
                return args[i + 1];
            }
        }
        return "";
    }

    static int run(String[] args) {
        ParvirtHome home = ParvirtHome.fromEnvironment();
        Map<String, String> files = new LinkedHashMap<>();
        try {
            args = CommandInput.withPassword(args);
            if (args[0].equals("mksyscfg") || args[0].equals("chsyscfg")) {
                for (int i = 1; i + 1 < args.length; i++) {
                    if (args[i].equals("-f")) {
                        files.put(args[i + 1], CommandInput.recordFile(args[i + 1]));
                    }
                }
            }
        } catch (CommandInput.Refused e) {
            System.out.println(e.getMessage());
            return 1;
        }
        StringBuilder json = new StringBuilder("{\"argv\":[");
        for (int i = 0; i < args.length; i++) {
            json.append(i > 0 ? "," : "").append(UnixHttp.quote(args[i]));
        }
        json.append("],\"files\":{");
        int n = 0;
        for (var e : files.entrySet()) {
            json.append(n++ > 0 ? "," : "").append(UnixHttp.quote(e.getKey())).append(':')
                    .append(UnixHttp.quote(e.getValue()));
        }
        json.append("}}");
        try {
            if (!DaemonLauncher.running(home)) {
                DaemonLauncher.start(home);
            }
            UnixHttp.Response r = UnixHttp.post(home.socket(), "/api/v1/hmc/cli", DaemonLauncher.token(home),
                    json.toString());
            String code = r.headers().get("x-parvirt-exit-code");
            if (r.status() != 200 || code == null) {
                System.err.println("parvirt: the daemon answered HTTP " + r.status() + ": " + r.body().strip());
                return 2;
            }
            System.out.print(r.body());
            System.out.flush();
            String vterm = r.headers().get("x-parvirt-vterm");
            if (vterm != null && code.equals("0")) {
                return VtermClient.attach(Path.of(vterm), partitionArg(args));
            }
            return Integer.parseInt(code);
        } catch (IOException e) {
            System.err.println("parvirt: cannot reach the daemon of " + home.root() + ": " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        }
    }
}
