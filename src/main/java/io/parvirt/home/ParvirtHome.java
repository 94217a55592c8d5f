package io.parvirt.home;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/** Paths inside one state home; created owner-only on first use. */
public record ParvirtHome(Path root) {

    public static ParvirtHome fromEnvironment() {
        String env = System.getenv("PARVIRT_HOME");
        Path p = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".parvirt");
        return new ParvirtHome(p.toAbsolutePath().normalize());
    }

    public Path config() {
        return root.resolve("parvirt.properties");
    }

    public Path storeDir() {
        return root.resolve("store");
    }

    /** Where {@code bkprofdata} writes profile data files (as the HMC keeps them with the managed system). */
    public Path profileData() {
        return root.resolve("profiles");
    }

    public Path logs() {
        return root.resolve("logs");
    }

    public Path run() {
        return root.resolve("run");
    }

    public Path images() {
        return root.resolve("images");
    }

    /** Where partition images are kept: {@code images.dir} in the configuration (shared by several homes), else images/. */
    public Path imageStore() {
        String dir = loadConfig().getProperty("images.dir");
        return dir == null || dir.isBlank() ? images() : Path.of(dir);
    }

    /** The daemon's local API socket; the CLI always finds its own home's daemon here. */
    public Path socket() {
        return run().resolve("api.sock");
    }

    public Path tokenFile() {
        return run().resolve("token");
    }

    public Path pidFile() {
        return run().resolve("daemon.pid");
    }

    public Path lockFile() {
        return run().resolve("daemon.lock");
    }

    /** Where the daemon writes the TCP address it listens on. */
    public Path listenFile() {
        return run().resolve("listen");
    }

    /** Creates the home's directories owner-only (0700, see {@link #ownerOnlyDir}), also where they existed with wider modes. */
    public void create() {
        try {
            for (Path d : new Path[] {root, storeDir(), logs(), run(), images()}) {
                Files.createDirectories(d);
                ownerOnlyDir(d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create parvirt home " + root, e);
        }
    }

    /**
     * Creates the home and makes what holds secrets or disks owner-only even where it already
     * existed with wider modes (issue 12): the store (with its WAL), the token, the VIOS's disks and
     * the imports 0600 in 0700 directories. The daemon does this once at start; it walks the VIOS's
     * files, so the CLI's own commands only {@link #create}.
     */
    public void secure() {
        create();
        try {
            for (Path d : new Path[] {root.resolve("vios"), root.resolve("import")}) {
                if (Files.isDirectory(d)) {
                    ownerOnly(d);
                }
            }
            ownerOnly(storeDir());
            if (Files.exists(tokenFile())) {
                Files.setPosixFilePermissions(tokenFile(), OWNER_FILE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create parvirt home " + root, e);
        }
    }

    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_DIR =
            PosixFilePermissions.fromString("rwx------");
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_FILE =
            PosixFilePermissions.fromString("rw-------");

    /**
     * 0700, except that a group allowed only to pass through ({@code g=--x}: what the daemon gives
     * the unprivileged QEMU's group on the way to the run directories, {@code hypervisor.QemuUser})
     * keeps that: it reads and lists nothing. Any other right of the group or of others goes.
     */
    private static void ownerOnlyDir(Path d) throws IOException {
        var perms = Files.getPosixFilePermissions(d);
        boolean passOnly = perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_EXECUTE)
                && !perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ)
                && !perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE);
        Files.setPosixFilePermissions(d, passOnly ? OWNER_DIR_GROUP_PASS : OWNER_DIR);
    }

    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_DIR_GROUP_PASS =
            PosixFilePermissions.fromString("rwx--x---");

    /** Every directory under {@code top} 0700 and every regular file 0600; links are not followed. */
    private static void ownerOnly(Path top) throws IOException {
        try (var all = Files.walk(top)) {
            for (Path p : all.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    ownerOnlyDir(p);
                } else if (Files.isRegularFile(p)) {
                    Files.setPosixFilePermissions(p, OWNER_FILE);
                }
            }
        }
    }

    /** {@code parvirt.properties}, empty when absent. */
    public Properties loadConfig() {
        Properties p = new Properties();
        if (Files.exists(config())) {
            try (InputStream in = Files.newInputStream(config())) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + config(), e);
            }
        }
        return p;
    }
}
