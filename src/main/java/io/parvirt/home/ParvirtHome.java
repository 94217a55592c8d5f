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

    /** Where {@code bklpar} writes partition backup archives and {@code rstlpar} reads them. */
    public Path backups() {
        return root.resolve("backups");
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
     * files, so the CLI's own commands only {@link #create}. Every socket under {@code run/} open to
     * its group or others is made {@code rw-------}, or {@code rw-rw----} in a setgid directory (a VIOS's NBD sockets, which the
     * unprivileged QEMU's group must reach): a QEMU started before the daemon's mask was owner-only
     * made its sockets {@code rwxr-xr-x}. Returns the sockets whose modes were narrowed.
     */
    public java.util.List<Path> secure() {
        create();
        try {
            java.util.List<Path> narrowed = narrowSockets(run());
            for (Path d : new Path[] {root.resolve("vios"), root.resolve("import")}) {
                if (Files.isDirectory(d)) {
                    ownerOnly(d);
                }
            }
            ownerOnly(storeDir());
            if (Files.exists(tokenFile())) {
                Files.setPosixFilePermissions(tokenFile(), OWNER_FILE);
            }
            return narrowed;
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

    private static final int SOCKET = 0140000;
    private static final int SETGID = 02000;

    /** Sockets under {@code top} to 0600 (0660 in a setgid directory); links are not followed. */
    static java.util.List<Path> narrowSockets(Path top) throws IOException {
        java.util.List<Path> out = new java.util.ArrayList<>();
        if (!Files.isDirectory(top)) {
            return out;
        }
        try (var all = Files.walk(top)) {
            for (Path p : all.toList()) {
                int mode;
                try {
                    mode = (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue; // a socket removed while the walk ran
                }
                if ((mode & 0170000) != SOCKET) {
                    continue;
                }
                boolean group = ((Integer) Files.getAttribute(p.getParent(), "unix:mode") & SETGID) != 0;
                // owner-only is any mode without group or other bits: QEMU's are born rwx------ under
                // umask 077 (a socket's x bit means nothing); the NBD sockets are made rw-rw---- exactly
                boolean ok = group ? (mode & 0777) == 0660 : (mode & 077) == 0;
                if (!ok) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(group ? "rw-rw----" : "rw-------"));
                    out.add(p);
                }
            }
        }
        return out;
    }

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
