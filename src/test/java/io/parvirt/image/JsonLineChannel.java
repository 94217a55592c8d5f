package io.parvirt.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Raw JSON lines over a Unix socket, the way both the guest agent and QMP speak: what the test
 * sends is exactly what it wrote, with no client library in between.
 */
final class JsonLineChannel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SocketChannel channel;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    JsonLineChannel(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                StandardCharsets.UTF_8));
        Thread.startVirtualThread(() -> {
            try {
                for (String line; (line = in.readLine()) != null;) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // closed
            }
        });
    }

    void send(String json) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** The next JSON line, skipping anything that is not JSON (an agent may send a 0xFF first). */
    JsonNode next(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no reply within " + timeout);
            }
            int brace = line.indexOf('{');
            if (brace >= 0) {
                try {
                    return JSON.readTree(line.substring(brace));
                } catch (IOException e) {
                    // not a reply; keep reading
                }
            }
        }
    }

    JsonNode call(String json, Duration timeout) throws IOException, InterruptedException {
        send(json);
        return next(timeout);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
