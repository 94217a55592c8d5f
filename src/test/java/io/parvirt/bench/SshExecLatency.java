package io.parvirt.bench;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;

/**
 * Issue 15's figure: {@code lssyscfg -r sys -F name} in a new exec channel of an open SSH
 * connection (MINA's client, password login done once), beside the same command through the REST
 * API ({@code POST /api/v1/hmc/cli}, one keep-alive HTTP client). Each is run {@code runs} times
 * after 20 warm-up runs; prints median, p90 and min in ms. Used by {@code bench/ssh.sh}.
 * Arguments: sshPort user password apiPort token runs.
 */
public final class SshExecLatency {
    private static final String COMMAND = "lssyscfg -r sys -F name";

    private SshExecLatency() {
    }

    public static void main(String[] args) throws Exception {
        int sshPort = Integer.parseInt(args[0]);
        int apiPort = Integer.parseInt(args[3]);
        int runs = Integer.parseInt(args[5]);
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(client, true); // as OpenSSH does
        client.start();
        try (ClientSession s = client.connect(args[1], "127.0.0.1", sshPort).verify(Duration.ofSeconds(10))
                .getSession()) {
            s.addPasswordIdentity(args[2]);
            s.auth().verify(Duration.ofSeconds(30));
            report("ssh exec channel (MINA client, open connection)", time(runs, () -> exec(s)));
        } finally {
            client.stop();
        }
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/api/v1/hmc/cli"))
                .header("Authorization", "Bearer " + args[4]).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"argv\":[\"lssyscfg\",\"-r\",\"sys\",\"-F\",\"name\"]}"))
                .build();
        report("REST API (Java HttpClient, keep-alive)", time(runs, () -> {
            String body = http.send(req, HttpResponse.BodyHandlers.ofString()).body();
            check(body);
        }));
    }

    private static void exec(ClientSession s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ChannelExec ch = s.createExecChannel(COMMAND)) {
            ch.setOut(out);
            ch.open().verify(Duration.ofSeconds(10));
            ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(10));
        }
        check(out.toString());
    }

    private static void check(String out) {
        if (out.isBlank() || out.startsWith("HSCL") || out.contains("\"code\"")) {
            throw new IllegalStateException("unexpected answer: " + out);
        }
    }

    interface Run {
        void run() throws Exception;
    }

    private static List<Double> time(int runs, Run r) throws Exception {
        for (int i = 0; i < 20; i++) {
            r.run();
        }
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        return ms;
    }

    private static void report(String what, List<Double> ms) {
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        double p90 = sorted.get(Math.max(0, (int) Math.ceil(0.9 * sorted.size()) - 1));
        System.out.printf("%s: median %.2f ms, p90 %.2f ms, min %.2f ms, n %d%n", what, median, p90, sorted.getFirst(),
                sorted.size());
    }
}
