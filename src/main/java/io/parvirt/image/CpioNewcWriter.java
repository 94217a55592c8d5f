package io.parvirt.image;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes a cpio archive in the "newc" (SVR4, no CRC) format, the one the kernel unpacks into its
 * initial root file system. Entries are named without a leading slash, as gen_init_cpio writes them.
 *
 * <p>The kernel's unpacker does not create missing parent directories, so every parent of an entry
 * is written first, once. All entries belong to root and carry one fixed time, so the same inputs
 * always give the same archive.
 */
final class CpioNewcWriter implements Closeable {
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFCHR = 0020000;
    private static final String TRAILER = "TRAILER!!!";

    private final OutputStream out;
    private final long mtime;
    private final Set<String> written = new HashSet<>();
    private long offset;
    private int inode = 1;
    private boolean closed;

    /** @param mtime seconds since the epoch given to every entry */
    CpioNewcWriter(OutputStream out, long mtime) {
        this.out = out;
        this.mtime = mtime;
    }

    /** Entries written so far, parents included. */
    int entries() {
        return written.size();
    }

    void directory(String path, int mode) throws IOException {
        String name = name(path);
        parents(name);
        if (written.contains(name)) {
            return; // a directory may be named again, e.g. explicitly after being a parent
        }
        entry(name, S_IFDIR | mode, 2, 0, 0, new byte[0]);
    }

    void file(String path, int mode, byte[] content) throws IOException {
        String name = claim(path);
        entry(name, S_IFREG | mode, 1, 0, 0, content);
    }

    /** A regular file with the content of {@code source}, streamed. */
    void file(String path, int mode, Path source) throws IOException {
        String name = claim(path);
        long size = Files.size(source);
        header(name, S_IFREG | mode, 1, size, 0, 0);
        long copied;
        try (InputStream in = Files.newInputStream(source)) {
            copied = in.transferTo(out);
        }
        if (copied != size) {
            throw new IOException(source + " changed while being archived");
        }
        offset += copied;
        pad();
    }

    void symlink(String path, String target) throws IOException {
        String name = claim(path);
        entry(name, S_IFLNK | 0777, 1, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    void characterDevice(String path, int mode, int major, int minor) throws IOException {
        String name = claim(path);
        entry(name, S_IFCHR | mode, 1, major, minor, new byte[0]);
    }

    /** Writes the trailer; the stream is left open for its owner (e.g. a gzip stream) to finish. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            entry(TRAILER, 0, 1, 0, 0, new byte[0]);
            out.flush();
        }
    }

    private String claim(String path) throws IOException {
        String name = name(path);
        parents(name);
        if (written.contains(name)) {
            // A second entry would silently replace the first one when unpacked.
            throw new IllegalArgumentException("archive already has " + name);
        }
        return name;
    }

    private void parents(String name) throws IOException {
        int slash = name.lastIndexOf('/');
        if (slash > 0 && !written.contains(name.substring(0, slash))) {
            directory(name.substring(0, slash), 0755);
        }
    }

    private static String name(String path) {
        String n = path;
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty() || n.contains("//") || ("/" + n + "/").contains("/../") || ("/" + n + "/").contains("/./")) {
            throw new IllegalArgumentException("not an archive path: " + path);
        }
        return n;
    }

    private void entry(String name, int mode, int nlink, int rdevMajor, int rdevMinor, byte[] content)
            throws IOException {
        header(name, mode, nlink, content.length, rdevMajor, rdevMinor);
        out.write(content);
        offset += content.length;
        pad();
    }

    private void header(String name, int mode, int nlink, long size, int rdevMajor, int rdevMinor)
            throws IOException {
        if (size > 0xFFFF_FFFFL) {
            throw new IOException(name + " is too large for a newc archive");
        }
        written.add(name);
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        String h = "070701" + hex(inode++) + hex(mode) + hex(0) + hex(0) + hex(nlink) + hex(mtime) + hex(size)
                + hex(0) + hex(0) + hex(rdevMajor) + hex(rdevMinor) + hex(nameBytes.length) + hex(0);
        out.write(h.getBytes(StandardCharsets.US_ASCII));
        out.write(nameBytes);
        offset += h.length() + nameBytes.length;
        pad();
    }

    // Header+name and data each end on a 4-byte boundary.
    private void pad() throws IOException {
        while (offset % 4 != 0) {
            out.write(0);
            offset++;
        }
    }

    private static String hex(long v) {
        return String.format("%08x", v);
    }
}
