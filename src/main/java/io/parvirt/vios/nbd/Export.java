package io.parvirt.vios.nbd;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One backing device offered to one client: a virtual target device's mapping. The name is also
 * the file name of the export's socket ({@code name.sock}), so it is kept to characters that need
 * no quoting in a path or an NBD URI.
 *
 * @param name the export name the client asks for (1 to 64 of {@code A-Z a-z 0-9 . _ -}, not
 *     starting with a dot)
 * @param file the backing device, a regular (usually sparse) file; its size is the export's size
 * @param readOnly the client may only read (virtual optical media)
 */
public record Export(String name, Path file, boolean readOnly) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

    public Export {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("export name must be 1-64 of A-Z a-z 0-9 . _ - and not start with a dot: "
                    + name);
        }
    }
}
