package io.parvirt.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What an image takes from an extra Debian package ({@code image build NAME --with PKG}): the
 * package's programs (its executables and links in {@code usr/bin}, {@code usr/sbin}, {@code bin},
 * {@code sbin}), its own shared libraries (in {@code lib}, {@code usr/lib} and their multiarch
 * directory), and every library those need, resolved by ldd on the host as for the guest agent
 * ({@link SharedLibraries}; missing ones are installed on the host from the package's dependencies).
 * Nothing else of the package (configuration, data, maintainer scripts) goes into the image.
 *
 * @param pkg the package name
 * @param version its Debian version, as downloaded
 * @param files the package's own files for the guest, in a stable order
 * @param libraries what its dynamically linked files need, without duplicates
 */
record PackageContents(String pkg, String version, List<Entry> files, List<SharedLibraries.Library> libraries) {

    /** A regular file copied from the unpacked package ({@code linkTarget} null) or a symbolic link. */
    record Entry(String guestPath, Path hostFile, int mode, String linkTarget) {
    }

    /** Debian policy's package names; anything else never reaches apt-get's command line. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    static final List<String> PROGRAM_DIRS = List.of("usr/bin", "usr/sbin", "bin", "sbin");
    static final List<String> LIBRARY_DIRS = List.of("lib", "usr/lib", "lib/x86_64-linux-gnu",
            "usr/lib/x86_64-linux-gnu", "lib64", "usr/lib64");
    private static final Pattern SHARED_LIBRARY = Pattern.compile(".+\\.so(\\.[0-9]+)*");
    private static final int PT_INTERP = 3;

    /** Unpacks {@code pkg} (downloading it unless cached) and collects what the guest needs of it. */
    static PackageContents of(String pkg, DebianPackages apt, Set<String> reserved, Consumer<String> progress)
            throws ImageException {
        if (!NAME.matcher(pkg).matches()) {
            throw new ImageException("'" + pkg + "' is not a Debian package name", null);
        }
        Path root = apt.unpack(pkg);
        List<String> providers = apt.depends(pkg);
        List<Entry> files = new ArrayList<>();
        Map<String, SharedLibraries.Library> libraries = new LinkedHashMap<>();
        int programs = 0;
        try {
            for (String dir : PROGRAM_DIRS) {
                for (Path f : children(root.resolve(dir))) {
                    String guest = dir + "/" + f.getFileName();
                    if (reserved.contains(guest)) {
                        progress.accept(pkg + ": " + guest + " left out (the image's own)");
                        continue;
                    }
                    if (Files.isSymbolicLink(f)) {
                        files.add(new Entry(guest, null, 0777, Files.readSymbolicLink(f).toString()));
                        programs++;
                    } else if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && executable(f)) {
                        files.add(new Entry(guest, f, 0755, null));
                        programs++;
                        needs(f, true, providers, apt, libraries);
                    }
                }
            }
            for (String dir : LIBRARY_DIRS) {
                for (Path f : children(root.resolve(dir))) {
                    if (!SHARED_LIBRARY.matcher(f.getFileName().toString()).matches()) {
                        continue;
                    }
                    String guest = dir + "/" + f.getFileName();
                    if (Files.isSymbolicLink(f)) {
                        files.add(new Entry(guest, null, 0777, Files.readSymbolicLink(f).toString()));
                    } else if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                        files.add(new Entry(guest, f, 0755, null));
                        needs(f, false, providers, apt, libraries);
                    }
                }
            }
        } catch (IOException e) {
            throw new ImageException("cannot read the unpacked " + pkg + " in " + root + ": " + e.getMessage(), null, e);
        }
        if (programs == 0 && files.isEmpty()) {
            throw new ImageException(pkg + " has no programs (usr/bin, usr/sbin, bin, sbin) and no shared libraries"
                    + " for the image", null);
        }
        return new PackageContents(pkg, apt.field(pkg, "Version"), List.copyOf(files),
                List.copyOf(libraries.values()));
    }

    /** The libraries of a dynamically linked ELF file; static programs and scripts need none. */
    private static void needs(Path f, boolean program, List<String> providers, DebianPackages apt,
            Map<String, SharedLibraries.Library> into) throws ImageException, IOException {
        Elf elf = elf(f);
        if (elf == Elf.DYNAMIC || elf == Elf.SHARED) {
            for (SharedLibraries.Library l : SharedLibraries.of(f, providers, apt, program && elf == Elf.DYNAMIC)) {
                into.putIfAbsent(l.guestPath(), l);
            }
        }
    }

    private static List<Path> children(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static boolean executable(Path f) throws IOException {
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS);
        return p.contains(PosixFilePermission.OWNER_EXECUTE) || p.contains(PosixFilePermission.GROUP_EXECUTE)
                || p.contains(PosixFilePermission.OTHERS_EXECUTE);
    }

    /** What a file is, by its ELF header: not ELF, a static program, a dynamic one, a shared object. */
    enum Elf { NONE, STATIC, DYNAMIC, SHARED }

    /**
     * Reads the ELF header and program headers (64-bit little-endian, what an amd64 guest runs): a
     * file with a PT_INTERP segment is run by the dynamic loader; an ET_DYN without one is a shared
     * library (which has dependencies too).
     */
    static Elf elf(Path f) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(f)) {
            head = in.readNBytes(64);
        }
        if (head.length < 64 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
            return Elf.NONE;
        }
        if (head[4] != 2 || head[5] != 1) {
            throw new IOException(f.getFileName() + " is not a 64-bit little-endian ELF file");
        }
        ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int type = Short.toUnsignedInt(h.getShort(16));
        long phoff = h.getLong(32);
        int phentsize = Short.toUnsignedInt(h.getShort(54));
        int phnum = Short.toUnsignedInt(h.getShort(56));
        if (phoff <= 0 || phentsize < 4 || phnum == 0 || phnum > 4096) {
            return Elf.STATIC;
        }
        byte[] ph = new byte[phentsize * phnum];
        try (FileChannel ch = FileChannel.open(f)) {
            ByteBuffer b = ByteBuffer.wrap(ph);
            while (b.hasRemaining() && ch.read(b, phoff + b.position()) > 0) {
                // read on
            }
        }
        ByteBuffer p = ByteBuffer.wrap(ph).order(ByteOrder.LITTLE_ENDIAN);
        boolean dynamicSection = false;
        for (int i = 0; i < phnum; i++) {
            int ptype = p.getInt(i * phentsize);
            if (ptype == PT_INTERP) {
                return Elf.DYNAMIC;
            }
            dynamicSection |= ptype == 2; // PT_DYNAMIC
        }
        return type == 3 && dynamicSection ? Elf.SHARED : Elf.STATIC;
    }
}
