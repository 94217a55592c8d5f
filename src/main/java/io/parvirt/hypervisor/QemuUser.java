package io.parvirt.hypervisor;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The unprivileged user every partition's QEMU runs as when the daemon is root (issue 12): one
 * system user for all partitions ({@code qemu.user}, default {@code parvirt-qemu}, with a group of
 * its name), made on first start. A guest that escapes into QEMU then holds that user's rights and
 * QEMU's seccomp filter, not root's. One user for all means the QEMUs are not shielded from each
 * other by their uid; what they reach is limited to what this class grants:
 *
 * <ul>
 *   <li>the partition's run directory: the group may make its sockets and pid file there, but the
 *       directory is sticky, so the daemon's run record stays the daemon's;</li>
 *   <li>the directories above it, and above a VIOS's NBD sockets and the image files: the group may
 *       pass through them (0710, no listing); the image files it may read, a writable image disk
 *       read and write;</li>
 *   <li>a VIOS's NBD sockets: the VIOS's {@code nbd} directory is setgid to the group, so its
 *       storage server gives each socket to the group (rw-rw----).</li>
 * </ul>
 *
 * The store, the token, the VIOS's disks and the logs stay the daemon's alone.
 */
public final class QemuUser {
    public static final String DEFAULT = "parvirt-qemu";
    private static final Set<PosixFilePermission> GROUP_PASS = EnumSet.of(PosixFilePermission.GROUP_EXECUTE);
    private static final Set<PosixFilePermission> GROUP_READ = EnumSet.of(PosixFilePermission.GROUP_READ);
    private static final Set<PosixFilePermission> GROUP_READ_WRITE = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE);

    private QemuUser() {
    }

    /**
     * The user partitions' QEMU runs as: {@code name}, made if it does not exist, when this process
     * runs as root and {@code name} is not empty; otherwise null (QEMU runs as the daemon's user).
     */
    public static String provision(String name) {
        if (name == null || name.isBlank() || !runningAsRoot()) {
            return null;
        }
        if (exists(name)) {
            return name;
        }
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("useradd", "--system",
                "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                "--comment", "parvirt partitions' QEMU"));
        if (groupExists("kvm")) {
            cmd.addAll(java.util.List.of("--groups", "kvm")); // /dev/kvm is root:kvm 0660
        }
        cmd.add(name);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            // Another daemon starting on a fresh host at the same moment may have made it first:
            // useradd then fails, and the user is there all the same.
            if (!p.waitFor(30, TimeUnit.SECONDS) || !exists(name)) {
                throw new IllegalStateException("cannot create user " + name + " for QEMU (qemu.user): "
                        + out.strip().lines().findFirst().orElse("useradd failed"));
            }
            return name;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create user " + name + " for QEMU (qemu.user): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating user " + name);
        }
    }

    static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static boolean exists(String user) {
        try {
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(user);
            return true;
        } catch (UserPrincipalNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new IllegalStateException("cannot look up user " + user + ": " + e.getMessage());
        }
    }

    private static boolean groupExists(String group) {
        try {
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * At start: the user may pass through the home down to the run directories; refused in one
     * line when a directory above the home lets no one else pass (a home under {@code /root}):
     * parvirt does not open directories that are not its own.
     */
    public static void openHome(String user, Path homeRoot, Path runRoot) {
        try {
            for (Path d = homeRoot.toAbsolutePath().getParent(); d != null; d = d.getParent()) {
                if (!passable(user, d)) {
                    throw new IllegalStateException("QEMU runs as " + user + " (qemu.user), who cannot reach the "
                            + "home " + homeRoot + ": " + d + " lets no one else pass. Put PARVIRT_HOME elsewhere, "
                            + "or set qemu.user= (empty) to run QEMU as the daemon's user.");
                }
            }
            Files.createDirectories(runRoot);
            for (Path d = runRoot.toAbsolutePath(); d != null && d.startsWith(homeRoot); d = d.getParent()) {
                addGroupRights(user, d, GROUP_PASS);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot open " + runRoot + " to " + user + ": " + e.getMessage());
        }
    }

    /**
     * Lets the user's QEMU make its sockets and pid file in the partition's run directory without
     * touching the daemon's files there: the directory stays the daemon's, the group may write it,
     * and it is sticky (01770), so QEMU can neither remove nor replace the run record or its log.
     */
    static void shareRunDir(String user, Path dir) throws IOException {
        Files.createDirectories(dir);
        view(dir).setGroup(group(user));
        Files.setAttribute(dir, "unix:mode", 01770);
        passThroughAbove(user, dir);
    }

    /**
     * Lets the user's group pass through {@code dir} and the directories above it, and makes files
     * created in {@code dir} the group's (setgid): a VIOS's NBD socket directory.
     */
    static void shareNewFiles(String user, Path dir) throws IOException {
        Files.createDirectories(dir);
        view(dir).setGroup(group(user));
        Files.setAttribute(dir, "unix:mode", 02710);
        passThroughAbove(user, dir);
    }

    /** Lets the user read {@code file} (and write it when {@code write}), and reach it. */
    public static void grant(String user, Path file, boolean write) throws IOException {
        if (!Files.exists(file)) {
            return; // QEMU says which file is missing
        }
        Path real = file.toRealPath();
        passThroughAbove(user, real);
        addGroupRights(user, real, write ? GROUP_READ_WRITE : GROUP_READ);
    }

    /**
     * The directories above {@code path}, up to the first the user may already pass (the run
     * root and home opened at start, or a public directory), become passable by its group.
     */
    private static void passThroughAbove(String user, Path path) throws IOException {
        for (Path d = path.toAbsolutePath().getParent(); d != null && !passable(user, d); d = d.getParent()) {
            addGroupRights(user, d, GROUP_PASS);
        }
    }

    private static boolean passable(String user, Path d) throws IOException {
        var a = Files.readAttributes(d, java.nio.file.attribute.PosixFileAttributes.class);
        Set<PosixFilePermission> perms = a.permissions();
        return perms.contains(PosixFilePermission.OTHERS_EXECUTE)
                || a.group().equals(group(user)) && perms.contains(PosixFilePermission.GROUP_EXECUTE)
                || a.owner().equals(principal(user)) && perms.contains(PosixFilePermission.OWNER_EXECUTE);
    }

    /** Adds {@code rights} for the user's group unless others already have them; the owner's rights stay. */
    private static void addGroupRights(String user, Path p, Set<PosixFilePermission> rights) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        boolean othersHave = rights.stream().allMatch(r -> perms.contains(PosixFilePermission.valueOf(
                r.name().replace("GROUP", "OTHERS"))));
        if (othersHave) {
            return;
        }
        PosixFileAttributeView v = view(p);
        GroupPrincipal g = group(user);
        if (!v.readAttributes().group().equals(g)) {
            // Another group that may read or write shares it: leave the owner's choice alone (QEMU says
            // what it misses). One that may only pass (g=--x, e.g. what the home's owner-only walk leaves
            // of a home made 0711) is no share: taken over, or the QEMU user could never reach the run directories.
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.GROUP_WRITE)) {
                return;
            }
            v.setGroup(g);
        }
        if (!perms.containsAll(rights)) {
            Set<PosixFilePermission> more = EnumSet.copyOf(perms);
            more.addAll(rights);
            Files.setPosixFilePermissions(p, more);
        }
    }

    private static PosixFileAttributeView view(Path p) {
        return Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    }

    private static UserPrincipal principal(String user) throws IOException {
        return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(user);
    }

    private static GroupPrincipal group(String user) throws IOException {
        return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(user);
    }
}
