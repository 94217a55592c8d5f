package io.parvirt.vios;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Host files a VIOS command may read (issue 12): {@code mkvopt -file} copies a host file into a
 * media repository, from which a partition can read it. Any file the daemon can read would leak the
 * home's token, the store and other partitions' disks, so an HMC user may name only files under
 * the import directory: its real path (every link followed) must lie inside the import directory's
 * real path, and a relative name is taken inside it. The home's owner and hmcsuperadmin, who can
 * reach the host anyway, may name any file.
 */
final class HostFiles {
    private HostFiles() {
    }

    static Path readable(ViosContext c, String given) {
        Path named;
        try {
            named = Path.of(given);
        } catch (InvalidPathException e) {
            throw new ViosException(ViosException.Kind.USAGE, "-file", "The file name given to -file is not a valid "
                    + "path.");
        }
        if (c.anyHostFile()) {
            return named;
        }
        Path dir = c.svc().importDir();
        Path real;
        Path base;
        try {
            base = dir.toRealPath();
        } catch (IOException e) {
            throw new ViosException(ViosException.Kind.NOT_FOUND, "-file", "There is no import directory " + dir
                    + ": the home's owner creates it and puts the files to import there.");
        }
        try {
            real = base.resolve(named).toRealPath();
        } catch (NoSuchFileException e) {
            throw new ViosException(ViosException.Kind.NOT_FOUND, given, "The file " + given + " does not exist in "
                    + "the import directory " + dir + ".");
        } catch (IOException e) {
            throw new ViosException(ViosException.Kind.IO, given, "The file " + given + " cannot be read: "
                    + e.getMessage() + ".");
        }
        if (!real.startsWith(base) || real.equals(base)) {
            throw new ViosException(ViosException.Kind.ACCESS, given, "The file " + given + " is outside the import "
                    + "directory " + dir + ": only files there may be imported (hmcsuperadmin may name any file). "
                    + "Copy it there first.");
        }
        if (!Files.isRegularFile(real)) {
            throw new ViosException(ViosException.Kind.NOT_FOUND, given, "The file " + given + " is not a regular "
                    + "file.");
        }
        return real;
    }
}
