package io.parvirt.vios;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The copy of {@code mkvopt -file}, made beside the repository before the change takes the VIOS
 * service's lock (issue 12): other VIOS commands go on meanwhile. Exactly the bytes the file held
 * when it was measured are copied, so a file that keeps growing still ends; the room is checked
 * first against the repository as it is, and again under the lock when the medium is recorded.
 */
final class MediaStaging {
    private MediaStaging() {
    }

    static Path stage(ViosContext c, Path source, String name, long sizeMb, long bytes) {
        var s = c.storage();
        if (s.repository() == null) {
            throw MediaCommands.noRepository(c);
        }
        if (sizeMb > s.repositoryFreeMb()) {
            throw new ViosException(ViosException.Kind.NO_SPACE, name, "The virtual media repository has "
                    + s.repositoryFreeMb() + " MB free; the medium " + name + " needs " + sizeMb + " MB.");
        }
        Path staged = c.svc().repositoryDir(c.id()).resolve(".staging-" + name + "-" + UUID.randomUUID() + ".part");
        try (InputStream in = Files.newInputStream(source);
                OutputStream out = Files.newOutputStream(staged, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
            byte[] buf = new byte[1 << 20];
            long left = bytes;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    break; // it shrank meanwhile: the medium is what was there
                }
                out.write(buf, 0, n);
                left -= n;
            }
        } catch (IOException e) {
            discard(staged);
            throw new ViosException(ViosException.Kind.IO, name, "The file for medium " + name + " could not be "
                    + "copied: " + e.getMessage() + ". Nothing was changed.");
        }
        return staged;
    }

    static void discard(Path staged) {
        if (staged != null) {
            try {
                Files.deleteIfExists(staged);
            } catch (IOException e) {
                staged.toFile().deleteOnExit(); // a leftover .part is garbage inside parvirt's own directory
            }
        }
    }
}
