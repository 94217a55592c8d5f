package io.parvirt.home;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (file modes): a home whose directories already existed kept their modes, so a store,
 * a token or a VIOS disk made world-readable by hand (or by an old parvirt) stayed readable. Every
 * start makes them owner-only.
 */
@Tag("unit")
class HomeModesTest {
    @TempDir
    Path dir;

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    static Path wide(Path p, boolean directory) throws Exception {
        if (directory) {
            Files.createDirectories(p);
        } else {
            Files.createDirectories(p.getParent());
            Files.writeString(p, "secret");
        }
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(directory ? "rwxr-xr-x" : "rw-r--r--"));
        return p;
    }

    @Test
    void whatHoldsSecretsOrDisksBecomesOwnerOnlyEvenWhereItExisted() throws Exception {
        ParvirtHome home = new ParvirtHome(dir.resolve("home"));
        Path root = wide(home.root(), true);
        Path store = wide(home.storeDir().resolve("parvirt.db"), false);
        Path wal = wide(home.storeDir().resolve("parvirt.db-wal"), false);
        Path token = wide(home.tokenFile(), false);
        Path disk = wide(home.root().resolve("vios/2/pools/rootvg/lv0"), false);
        Path pool = home.root().resolve("vios/2/pools/rootvg");
        Files.setPosixFilePermissions(pool, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path imported = wide(home.root().resolve("import/install.iso"), false);
        home.secure();
        assertThat(mode(root)).isEqualTo("rwx------");
        assertThat(mode(home.storeDir())).isEqualTo("rwx------");
        assertThat(mode(home.run())).isEqualTo("rwx------");
        assertThat(mode(home.logs())).isEqualTo("rwx------");
        for (Path f : new Path[] {store, wal, token, disk, imported}) {
            assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------");
        }
        assertThat(mode(pool)).isEqualTo("rwx------");
    }

    /** The pass-only right the daemon gives the unprivileged QEMU's group survives the CLI's create (issue 12). */
    @Test
    void aGroupThatMayOnlyPassThroughKeepsThatAndNothingMore() throws Exception {
        ParvirtHome home = new ParvirtHome(dir.resolve("home"));
        home.create();
        Files.setPosixFilePermissions(home.root(), PosixFilePermissions.fromString("rwx--x---"));
        Files.setPosixFilePermissions(home.run(), PosixFilePermissions.fromString("rwx--x---"));
        Files.setPosixFilePermissions(home.logs(), PosixFilePermissions.fromString("rwxr-x---"));
        home.create();
        assertThat(mode(home.root())).isEqualTo("rwx--x---");
        assertThat(mode(home.run())).isEqualTo("rwx--x---");
        assertThat(mode(home.logs())).isEqualTo("rwx------");
    }

    /** A listening Unix socket left as a file at {@code p}, made {@code mode} (as a QEMU with umask 022 left them). */
    static Path socket(Path p, String mode) throws Exception {
        Files.createDirectories(p.getParent());
        try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(java.net.UnixDomainSocketAddress.of(p));
        }
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    /**
     * Issue 12 (socket modes): QEMU made its monitor, agent, serial and switch sockets rwxr-xr-x.
     * Every start makes each socket under run/ that its group or others may use rw-------, and
     * rw-rw---- in a setgid directory (a
     * VIOS's NBD sockets, which the unprivileged QEMU's group connects to); other files are left.
     */
    @Test
    void everySocketUnderRunBecomesOwnerOnlyOrGroupWhereItsDirectoryIsSetgid() throws Exception {
        ParvirtHome home = new ParvirtHome(dir.resolve("home"));
        home.create();
        Path lpar = home.run().resolve("lpar/3");
        List<Path> own = List.of(socket(lpar.resolve("qmp.sock"), "rwxr-xr-x"), socket(lpar.resolve("qga.sock"),
                "rwxrwxrwx"), socket(lpar.resolve("net2.sock"), "rwxr-xr-x"), socket(home.run().resolve("vterm/3.sock"),
                "rw-rw----"));
        Path nbd = home.run().resolve("lpar/1/nbd");
        Path shared = socket(nbd.resolve("vtscsi0.sock"), "rwxrwxrwx");
        Files.setAttribute(nbd, "unix:mode", 02770);
        Path ok = socket(nbd.resolve("vtscsi1.sock"), "rw-rw----");
        Path born = socket(lpar.resolve("serial.sock"), "rwx------"); // as QEMU makes it under umask 077
        Path record = lpar.resolve("run.json");
        Files.writeString(record, "{}");
        Files.setPosixFilePermissions(record, PosixFilePermissions.fromString("rw-r--r--"));
        List<Path> narrowed = home.secure();
        for (Path p : own) {
            assertThat(mode(p)).as(p.toString()).isEqualTo("rw-------");
        }
        assertThat(mode(shared)).isEqualTo("rw-rw----");
        assertThat(mode(ok)).isEqualTo("rw-rw----");
        assertThat(mode(born)).as("already owner-only").isEqualTo("rwx------");
        assertThat(mode(record)).as("not a socket: its own rules").isEqualTo("rw-r--r--");
        assertThat(narrowed).containsExactlyInAnyOrder(own.get(0), own.get(1), own.get(2), own.get(3), shared);
        assertThat(home.secure()).as("a second start finds nothing to narrow").isEmpty();
    }
}
