package io.parvirt.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The default image's root file system, written as a newc cpio archive: busybox with its applet
 * links, the init and its wrappers, the kernel modules, and the guest agent with its libraries;
 * then what extra packages bring ({@code image build NAME --with PKG}), if any.
 *
 * @param applets busybox's own list of applet paths ({@code busybox --list-full})
 * @param libraries the agent's libraries and those the extra packages' files need, each path once
 * @param extras the extra packages' own files; a program there takes the place of the busybox
 *        applet of the same path, a path already written (one of {@link #OWN}, a library) is kept
 */
record GuestRoot(Path busybox, List<String> applets, Path agent, List<SharedLibraries.Library> libraries,
        String kernelVersion, List<KernelModules.Module> modules, String osRelease,
        List<PackageContents.Entry> extras) {

    /** Applets replaced by our own scripts, or meaningless here (our init is /init). */
    private static final Set<String> NOT_LINKED = Set.of("linuxrc", "sbin/init", "sbin/poweroff", "sbin/reboot",
            "sbin/halt", "sbin/shutdown");
    /** Programs of the image's own that no extra package replaces. */
    static final Set<String> OWN = Set.of("init", "bin/busybox", "bin/sh", "sbin/shutdown", "sbin/poweroff",
            "sbin/reboot", "sbin/halt", "usr/sbin/qemu-ga");

    GuestRoot {
        extras = List.copyOf(extras);
    }

    /** Writes the tree; the writer is left for the caller to close. */
    void write(CpioNewcWriter cpio) throws IOException {
        for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "lib", "lib64", "dev", "proc", "sys", "run",
                "etc", "var/log")) {
            cpio.directory(d, 0755);
        }
        cpio.directory("tmp", 01777);
        cpio.directory("root", 0700);
        // The kernel opens /dev/console for init before anything can mount devtmpfs.
        cpio.characterDevice("dev/console", 0600, 5, 1);
        cpio.symlink("var/run", "../run");

        cpio.file("bin/busybox", 0755, busybox);
        Set<String> extraPaths = new HashSet<>();
        extras.forEach(e -> extraPaths.add(e.guestPath()));
        for (String applet : applets) {
            if (!NOT_LINKED.contains(applet) && !applet.equals("bin/busybox")
                    && (OWN.contains(applet) || !extraPaths.contains(applet))) {
                cpio.symlink(applet, "/bin/busybox");
            }
        }
        script(cpio, "init", GuestInit.INIT);
        script(cpio, "sbin/shutdown", GuestInit.SHUTDOWN);
        for (String action : List.of("poweroff", "reboot", "halt")) {
            script(cpio, "sbin/" + action, GuestInit.forced(action));
        }
        script(cpio, "etc/acpi/PWRF/00000080", GuestInit.POWER_BUTTON);
        text(cpio, "etc/profile", GuestInit.PROFILE);
        text(cpio, "etc/passwd", GuestInit.PASSWD);
        text(cpio, "etc/group", GuestInit.GROUP);
        text(cpio, "etc/os-release", osRelease);

        StringBuilder order = new StringBuilder();
        for (KernelModules.Module m : modules) {
            String path = "lib/modules/" + kernelVersion + "/" + m.path();
            cpio.file(path, 0644, m.content());
            order.append('/').append(path).append(m.required() ? " required\n" : " optional\n");
        }
        text(cpio, GuestInit.MODULE_LIST, order.toString());

        cpio.file("usr/sbin/qemu-ga", 0755, agent);
        Set<String> libraryPaths = new HashSet<>();
        for (SharedLibraries.Library lib : libraries) {
            cpio.file(lib.guestPath(), 0755, lib.hostFile());
            libraryPaths.add(strip(lib.guestPath()));
        }
        for (PackageContents.Entry e : extras) {
            String path = strip(e.guestPath());
            if (OWN.contains(path) || libraryPaths.contains(path)) {
                continue;
            }
            if (e.linkTarget() != null) {
                cpio.symlink(path, e.linkTarget());
            } else {
                cpio.file(path, e.mode(), e.hostFile());
            }
        }
    }

    private static String strip(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    private static void script(CpioNewcWriter cpio, String path, String text) throws IOException {
        cpio.file(path, 0755, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void text(CpioNewcWriter cpio, String path, String text) throws IOException {
        cpio.file(path, 0644, text.getBytes(StandardCharsets.UTF_8));
    }
}
