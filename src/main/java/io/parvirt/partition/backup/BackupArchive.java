package io.parvirt.partition.backup;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import io.parvirt.model.ModelException;
import io.parvirt.vios.nbd.DataExtents;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A partition backup archive: one file, written beside its final name and renamed into place.
 *
 * <pre>
 *   "PARVIRT-LPAR-BACKUP 1\n"                       header (21 bytes)
 *   zstd stream (level 1): per disk, in the manifest's order,
 *       { u64 offset | u32 length | length bytes }*  the disk's non-zero blocks (at most 1 MiB each)
 *       { u64 -1 | u32 0 }                           end of that disk
 *   manifest: JSON ({@link BackupManifest})
 *   footer (128 bytes, space-padded, ends in '\n'):
 *       "PARVIRT-LPAR-BACKUP-END body=B manifest=M sha256=HEX"   HEX: of everything before the footer
 * </pre>
 *
 * The footer at a fixed place lets a truncated file be refused at once (no footer, or lengths that
 * do not add up to the file's size); the digest over the whole is checked before a restore creates
 * anything. Holes, and blocks of zeros, are not stored: a restored disk is as sparse as it can be.
 */
final class BackupArchive {
    static final String HEADER = "PARVIRT-LPAR-BACKUP 1\n";
    static final int FOOTER = 128;
    private static final int BLOCK = 1 << 20;
    private static final Pattern FOOTER_LINE = Pattern.compile(
            "PARVIRT-LPAR-BACKUP-END body=(\\d{1,19}) manifest=(\\d{1,10}) sha256=([0-9a-f]{64}) *\n");

    private BackupArchive() {
    }

    /** Writes {@code m} and the disks' files (in {@code m}'s order) to {@code tmp}; returns the manifest as stored. */
    static BackupManifest write(Path tmp, BackupManifest m, List<Path> disks, LparJobs.Job job) throws IOException {
        MessageDigest sha = sha256();
        long total = 0;
        List<List<DataExtents.Extent>> extents = new java.util.ArrayList<>();
        for (int i = 0; i < disks.size(); i++) {
            List<DataExtents.Extent> e = DataExtents.of(disks.get(i), m.disks().get(i).sizeMb() << 20);
            extents.add(e);
            total += e.stream().mapToLong(DataExtents.Extent::length).sum();
        }
        job.phase("writing", total);
        List<BackupManifest.Disk> stored = new java.util.ArrayList<>();
        try (OutputStream file = Files.newOutputStream(tmp, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                Tally out = new Tally(new BufferedOutputStream(file, BLOCK), sha)) {
            out.write(HEADER.getBytes(StandardCharsets.US_ASCII));
            ZstdOutputStream z = new ZstdOutputStream(out, 1);
            z.setWorkers(1); // compression on its own thread, as tar | zstd runs in two processes
            DataOutputStream body = new DataOutputStream(new BufferedOutputStream(z, BLOCK));
            byte[] buf = new byte[BLOCK];
            for (int i = 0; i < disks.size(); i++) {
                long data = 0;
                try (FileChannel in = FileChannel.open(disks.get(i), StandardOpenOption.READ)) {
                    for (DataExtents.Extent e : extents.get(i)) {
                        for (long off = e.offset(); off < e.offset() + e.length(); off += BLOCK) {
                            job.check();
                            int n = (int) Math.min(BLOCK, e.offset() + e.length() - off);
                            int got = readFully(in, ByteBuffer.wrap(buf, 0, n), off);
                            if (!zeros(buf, got)) {
                                body.writeLong(off);
                                body.writeInt(got);
                                body.write(buf, 0, got);
                                data += got;
                            }
                            job.advance(n);
                        }
                    }
                }
                body.writeLong(-1);
                body.writeInt(0);
                stored.add(m.disks().get(i).withDataBytes(data));
            }
            body.close(); // ends the zstd frame; Tally stays open
            long bodyLength = out.count - HEADER.length();
            BackupManifest done = m.withDisks(stored);
            byte[] json = done.toJson();
            out.write(json);
            String footer = "PARVIRT-LPAR-BACKUP-END body=" + bodyLength + " manifest=" + json.length + " sha256="
                    + HexFormat.of().formatHex(sha.digest());
            out.raw((footer + " ".repeat(FOOTER - 1 - footer.length()) + "\n").getBytes(StandardCharsets.US_ASCII));
            file.flush();
            return done;
        }
    }

    /** The archive's layout, once its footer is read. */
    record Layout(long bodyLength, int manifestLength, String sha256) {
    }

    /**
     * Checks {@code file} whole (its footer, its size, its digest) and returns its manifest; a file
     * that is not a whole, intact archive is refused with one sentence naming what is wrong.
     */
    static BackupManifest verify(Path file, LparJobs.Job job) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            Layout l = layout(file, ch, size);
            MessageDigest sha = sha256();
            ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
            long hashed = size - FOOTER;
            job.phase("verifying", hashed);
            byte[] manifest = new byte[l.manifestLength()];
            long manifestAt = hashed - l.manifestLength();
            for (long pos = 0; pos < hashed; ) {
                job.check();
                buf.clear().limit((int) Math.min(BLOCK, hashed - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw damaged(file, "it ended early");
                }
                buf.flip();
                sha.update(buf);
                pos += n;
                job.advance(n);
            }
            if (!HexFormat.of().formatHex(sha.digest()).equals(l.sha256())) {
                throw damaged(file, "its SHA-256 digest does not match its contents (damaged)");
            }
            ByteBuffer mb = ByteBuffer.wrap(manifest);
            while (mb.hasRemaining() && ch.read(mb, manifestAt + mb.position()) > 0) {
                // read the manifest whole
            }
            try {
                return BackupManifest.fromJson(manifest);
            } catch (IOException | RuntimeException e) {
                throw damaged(file, "its manifest cannot be read (" + e.getMessage().lines().findFirst().orElse("")
                        + ")");
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ModelException(ModelException.Kind.INVALID_VALUE, "-f", "The backup file " + file.getFileName()
                    + " was not found in " + file.getParent() + ".");
        } catch (IOException e) {
            throw new ModelException(ModelException.Kind.INVALID_VALUE, "-f", "The backup file " + file.getFileName()
                    + " could not be read: " + e.getMessage());
        }
    }

    private static Layout layout(Path file, FileChannel ch, long size) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(HEADER.length());
        if (size < HEADER.length() || ch.read(head, 0) != HEADER.length()
                || !new String(head.array(), StandardCharsets.US_ASCII).equals(HEADER)) {
            throw damaged(file, "it is not a parvirt partition backup");
        }
        ByteBuffer foot = ByteBuffer.allocate(FOOTER);
        var m = size < HEADER.length() + FOOTER || ch.read(foot, size - FOOTER) != FOOTER ? null
                : FOOTER_LINE.matcher(new String(foot.array(), StandardCharsets.US_ASCII));
        if (m == null || !m.matches()) {
            throw damaged(file, "it has no end record (truncated?)");
        }
        Layout l = new Layout(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), m.group(3));
        if (HEADER.length() + l.bodyLength() + l.manifestLength() + FOOTER != size) {
            throw damaged(file, "its size (" + size + " bytes) is not what its end record says ("
                    + (HEADER.length() + l.bodyLength() + l.manifestLength() + FOOTER) + ")");
        }
        return l;
    }

    /** Writes the disks of a verified archive into {@code targets} (sparse files of the disks' sizes). */
    static void extract(Path file, BackupManifest m, List<Path> targets, LparJobs.Job job) throws IOException {
        long total = m.disks().stream().mapToLong(BackupManifest.Disk::dataBytes).sum();
        job.phase("restoring", total);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Layout l = layout(file, ch, ch.size());
            InputStream raw = new java.io.BufferedInputStream(new Bounded(Channels.newInputStream(
                    ch.position(HEADER.length())), l.bodyLength()), BLOCK);
            DataInputStream body = new DataInputStream(new java.io.BufferedInputStream(new ZstdInputStream(raw),
                    BLOCK));
            byte[] buf = new byte[BLOCK];
            for (int i = 0; i < targets.size(); i++) {
                long size = m.disks().get(i).sizeMb() << 20;
                Files.deleteIfExists(targets.get(i));
                Files.createDirectories(targets.get(i).getParent());
                try (FileChannel out = FileChannel.open(targets.get(i), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    while (true) {
                        job.check();
                        long off = body.readLong();
                        int n = body.readInt();
                        if (off == -1) {
                            break;
                        }
                        if (n < 0 || n > BLOCK || off < 0 || off + n > size) {
                            throw new IOException("a block of disk " + i + " lies outside it");
                        }
                        body.readFully(buf, 0, n);
                        ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                        for (long p = off; b.hasRemaining(); ) {
                            p += out.write(b, p);
                        }
                        job.advance(n);
                    }
                    // the size last: a hole at the end stays a hole
                    try (var raf = new java.io.RandomAccessFile(targets.get(i).toFile(), "rw")) {
                        raf.setLength(size);
                    }
                    out.force(true);
                }
            }
        } catch (EOFException e) {
            throw new IOException("the archive's data ended early", e);
        }
    }

    static ModelException damaged(Path file, String why) {
        return new ModelException(ModelException.Kind.INVALID_VALUE, "-f", "The backup file " + file.getFileName()
                + " cannot be restored: " + why + ". Nothing was created.");
    }

    private static int readFully(FileChannel in, ByteBuffer b, long at) throws IOException {
        int got = 0;
        while (b.hasRemaining()) {
            int n = in.read(b, at + got);
            if (n < 0) {
                break; // the file shrank under us: the rest reads as zeros (a hole)
            }
            got += n;
        }
        java.util.Arrays.fill(b.array(), b.arrayOffset() + got, b.arrayOffset() + b.limit(), (byte) 0);
        return b.limit();
    }

    private static final byte[] ZEROS = new byte[BLOCK];

    private static boolean zeros(byte[] b, int n) {
        return java.util.Arrays.mismatch(b, 0, n, ZEROS, 0, n) < 0;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Counts and digests what passes; its close leaves the file open (the zstd stream closes it). */
    private static final class Tally extends FilterOutputStream {
        private final MessageDigest sha;
        long count;

        Tally(OutputStream out, MessageDigest sha) {
            super(out);
            this.sha = sha;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            sha.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            sha.update(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }

        /** Bytes that are neither counted nor digested (the footer). */
        void raw(byte[] b) throws IOException {
            out.write(b);
            out.flush();
        }
    }

    /** At most {@code left} bytes of {@code in}. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long left) {
            this.in = in;
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            left -= b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            left -= Math.max(n, 0);
            return n;
        }
    }
}
