package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.testing.Await;
import io.parvirt.vios.nbd.RawClient.OptionReply;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6: an export is reachable only by the client it is mapped to. Each mapping has its own
 * socket, only its owner may connect to it, and through it no other export can be named, listed or
 * opened.
 */
@Tag("unit")
class IsolationTest {
    @RegisterExtension
    final NbdRig rig = NbdRig.serving("lpar1-hd0", 1 << 20).and("lpar2-hd0", 2 << 20);
    Endpoint lpar1;
    Endpoint lpar2;

    @BeforeEach
    void name() {
        lpar1 = rig.endpoint("lpar1-hd0");
        lpar2 = rig.endpoint("lpar2-hd0");
    }

    @Test
    void eachExportHasItsOwnSocketThatOnlyItsOwnerMayOpen() throws IOException {
        assertThat(lpar1.socket()).isEqualTo(rig.sockets.resolve("lpar1-hd0.sock").toAbsolutePath());
        assertThat(lpar2.socket()).isNotEqualTo(lpar1.socket());
        for (Endpoint e : List.of(lpar1, lpar2)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(e.socket()))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(e.vhostSocket())))
                    .as("the disk's vhost-user-blk socket").isEqualTo("rw-------");
        }
        try (var files = Files.list(rig.sockets)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .as("no staging directory left behind")
                    .containsExactly("lpar1-hd0.sock", "lpar1-hd0.vhost", "lpar2-hd0.sock", "lpar2-hd0.vhost");
        }
    }

    @Test
    void goForAnotherExportsNameIsRefusedWithErrUnknown() throws IOException {
        try (RawClient c = RawClient.connect(lpar1.socket())) {
            List<OptionReply> go = c.infoOrGo(Protocol.OPT_GO, "lpar2-hd0");
            assertThat(go).hasSize(1);
            assertThat(go.getFirst().type()).isEqualTo(Protocol.REP_ERR_UNKNOWN);
            List<OptionReply> info = c.infoOrGo(Protocol.OPT_INFO, "no-such");
            assertThat(info.getLast().type()).isEqualTo(Protocol.REP_ERR_UNKNOWN);
            // still negotiating: the socket's own export can then be opened
            List<OptionReply> own = c.infoOrGo(Protocol.OPT_GO, "lpar1-hd0");
            assertThat(own.getLast().type()).isEqualTo(Protocol.REP_ACK);
            assertThat(c.size).isEqualTo(1 << 20);
        }
    }

    @Test
    void theDefaultNameIsTheSocketsOwnExport() throws IOException {
        try (RawClient c = RawClient.connect(lpar2.socket())) {
            List<OptionReply> go = c.infoOrGo(Protocol.OPT_GO, "");
            assertThat(go.getLast().type()).isEqualTo(Protocol.REP_ACK);
            assertThat(c.size).isEqualTo(2 << 20);
            assertThat(go).anySatisfy(r -> assertThat(new String(r.data(), StandardCharsets.UTF_8)).endsWith("lpar2-hd0"));
        }
    }

    @Test
    void listShowsOnlyTheSocketsOwnExport() throws IOException {
        try (RawClient c = RawClient.connect(lpar1.socket())) {
            c.sendOption(Protocol.OPT_LIST, ByteBuffer.allocate(0));
            OptionReply server = c.readOptionReply();
            assertThat(server.type()).isEqualTo(Protocol.REP_SERVER);
            assertThat(new String(server.data(), 4, server.data().length - 4, StandardCharsets.UTF_8)).isEqualTo("lpar1-hd0");
            assertThat(c.readOptionReply().type()).isEqualTo(Protocol.REP_ACK);
        }
    }

    @Test
    void exportNameForAnotherExportClosesTheSession() throws IOException, InterruptedException {
        try (RawClient c = RawClient.connect(lpar1.socket())) {
            c.sendOption(Protocol.OPT_EXPORT_NAME, ByteBuffer.wrap("lpar2-hd0".getBytes(StandardCharsets.UTF_8)));
            assertThat(c.closedByServer()).isTrue();
        }
        Await.until("UNKNOWN_EXPORT counted", () -> lpar1.counters().closes(CloseReason.UNKNOWN_EXPORT), v -> v == 1);
    }

    @Test
    void exportNameForItsOwnExportEntersTransmission() throws IOException {
        try (RawClient c = RawClient.connect(lpar1.socket())) {
            c.sendOption(Protocol.OPT_EXPORT_NAME, ByteBuffer.wrap("lpar1-hd0".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer b = c.readExactly(10); // NO_ZEROES was negotiated: no 124 bytes of padding
            assertThat(b.getLong(0)).isEqualTo(1 << 20);
            assertThat(c.read(0, 512)).hasSize(512);
        }
    }

    @Test
    void aStaleSocketFileIsReplacedButALiveOneIsNot() throws IOException {
        Path stale = rig.sockets.resolve("lpar3-hd0.sock");
        ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        crashed.bind(UnixDomainSocketAddress.of(stale));
        crashed.close(); // the file stays, no one listens: a crashed server's leftover
        Endpoint e = rig.server.serve(new Export("lpar3-hd0", rig.sparse("lpar3", 1 << 20), false));
        try (RawClient c = RawClient.open(e.socket(), "lpar3-hd0")) {
            assertThat(c.size).isEqualTo(1 << 20);
        }
        try (NbdServer other = new NbdServer(rig.sockets)) {
            assertThatThrownBy(() -> other.serve(new Export("lpar1-hd0", rig.sparse("other", 1 << 20), false)))
                    .isInstanceOfSatisfying(NbdException.class,
                            x -> assertThat(x.kind()).isEqualTo(NbdException.Kind.SOCKET_IN_USE));
        }
        try (RawClient c = RawClient.open(lpar1.socket(), "lpar1-hd0")) {
            assertThat(c.size).as("the first server still owns its socket").isEqualTo(1 << 20);
        }
    }

    @Test
    void stoppingOneExportClosesItsClientsAndSocketOnly() throws IOException, InterruptedException {
        try (RawClient one = RawClient.open(lpar1.socket(), "lpar1-hd0");
                RawClient two = RawClient.open(lpar2.socket(), "lpar2-hd0")) {
            one.write(0, new byte[] {1, 2, 3}, 0);
            assertThat(rig.server.stop("lpar1-hd0")).isTrue();
            assertThat(one.closedByServer()).isTrue();
            assertThat(lpar1.socket()).doesNotExist();
            assertThat(Files.readAllBytes(lpar1.export().file())).startsWith(1, 2, 3);
            assertThat(two.read(0, 512)).hasSize(512);
        }
        assertThat(lpar1.counters().closes(CloseReason.SERVER_STOP)).isEqualTo(1);
    }

    @Test
    void connectionsPastTheLimitAreRefused() throws IOException, InterruptedException {
        try (NbdServer small = new NbdServer(Files.createDirectories(rig.dir.resolve("small")), new NbdSettings(2, 32))) {
            Endpoint e = small.serve(new Export("x", rig.sparse("x", 4096), false));
            try (RawClient a = RawClient.open(e.socket(), "x"); RawClient b = RawClient.open(e.socket(), "x")) {
                try (var third = java.nio.channels.SocketChannel.open(UnixDomainSocketAddress.of(e.socket()))) {
                    assertThat(third.read(ByteBuffer.allocate(18))).isEqualTo(-1);
                }
                assertThat(a.read(0, 512)).hasSize(512);
                assertThat(b.read(0, 512)).hasSize(512);
            }
            assertThat(e.counters().closes(CloseReason.REFUSED)).isEqualTo(1);
        }
    }

    @Test
    void anExportWhoseFileIsMissingIsNotServed() {
        assertThatThrownBy(() -> rig.server.serve(new Export("gone", rig.dir.resolve("gone.img"), false)))
                .isInstanceOfSatisfying(NbdException.class,
                        x -> assertThat(x.kind()).isEqualTo(NbdException.Kind.BACKING_UNAVAILABLE));
        assertThat(rig.sockets.resolve("gone.sock")).doesNotExist();
    }
}
