package io.parvirt.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class PeerFileTest {
    @TempDir
    Path dir;

    @Test
    void keepsEveryPeerWithItsCredentialOwnerOnlyAndReplacesTheFileWhole() throws Exception {
        PeerFile file = new PeerFile(dir.resolve("sysconn"));
        assertThat(file.load()).isEmpty();
        Peer a = new Peer(new SystemAddress("10.0.0.2", 12443), "hscroot", "pw-a", "AB:CD", "sys2", "PVRT-KVM*1");
        Peer b = new Peer(new SystemAddress("127.0.0.3", 9000), "alice", "pw-b", null, "sys3", "PVRT-KVM*2");
        file.save(List.of(a, b));
        assertThat(file.load()).containsExactly(a, b);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path().getParent())))
                .isEqualTo("rwx------");
        file.save(List.of(b));
        assertThat(file.load()).containsExactly(b);
        try (var files = Files.list(file.path().getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("connections.json");
        }
    }

    @Test
    void aPeerOffLoopbackIsNeverStoredWithoutAPinnedCertificate() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Peer(new SystemAddress("10.0.0.2", 1), "u", "p",
                null, "", "")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Peer(new SystemAddress("10.0.0.2", 1), "u", "secret", "AB", "", "").toString())
                .doesNotContain("secret");
    }
}
