package io.parvirt.image;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a dynamically linked guest program needs besides itself: every shared library and the
 * dynamic loader, as {@code ldd} resolves them on this host. The guest gets each at the path ldd
 * reported, which is where the loader (the same glibc) looks by default, so the guest needs no
 * ld.so.cache and no LD_LIBRARY_PATH.
 */
final class SharedLibraries {
    /** One file to copy: where the guest expects it, and the host file with its content. */
    record Library(String guestPath, Path hostFile) {
    }

    private static final Pattern RESOLVED = Pattern.compile("^\\s*(\\S+) => (/\\S+) \\(0x[0-9a-f]+\\)$");
    private static final Pattern MISSING = Pattern.compile("^\\s*(\\S+) => not found$");
    private static final Pattern LOADER = Pattern.compile("^\\s*(/\\S+) \\(0x[0-9a-f]+\\)$");

    private SharedLibraries() {
    }

    /**
     * The libraries of {@code binary}. When ldd finds some missing, the packages the program's own
     * package depends on are installed on the host (as root; otherwise the error gives the command).
     */
    static List<Library> of(Path binary, List<String> providers, DebianPackages packages) throws ImageException {
        return of(binary, providers, packages, true);
    }

    /**
     * The same for any ELF file ldd reads; {@code program}: it is a dynamically linked program, so
     * ldd must name the dynamic loader (a shared library need not).
     */
    static List<Library> of(Path binary, List<String> providers, DebianPackages packages, boolean program)
            throws ImageException {
        List<String> missing = new ArrayList<>();
        List<Library> libs = resolve(binary, missing, program);
        if (!missing.isEmpty()) {
            packages.installOnHost(providers);
            missing.clear();
            libs = resolve(binary, missing, program);
            if (!missing.isEmpty()) {
                throw new ImageException(binary.getFileName() + " needs " + String.join(", ", missing)
                        + ", which no installed package provides", HostProgram.asRoot(
                                "apt-get install -y " + String.join(" ", providers)));
            }
        }
        return libs;
    }

    private static List<Library> resolve(Path binary, List<String> missing, boolean program)
            throws ImageException {
        HostProgram.Result r = HostProgram.run(null, Duration.ofSeconds(30), List.of("ldd", binary.toString()));
        if (!r.ok()) {
            throw new ImageException("ldd cannot read " + binary + ": " + r.reason().strip() + r.out().strip(), null);
        }
        List<Library> libs = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            Matcher m;
            if ((m = RESOLVED.matcher(line)).matches()) {
                libs.add(new Library(m.group(2), Path.of(m.group(2))));
            } else if ((m = MISSING.matcher(line)).matches()) {
                missing.add(m.group(1));
            } else if ((m = LOADER.matcher(line)).matches()) {
                libs.add(new Library(m.group(1), Path.of(m.group(1))));
            }
        }
        if (program && libs.stream().noneMatch(l -> l.guestPath().contains("ld-linux"))) {
            throw new ImageException("ldd named no dynamic loader for " + binary, null);
        }
        return libs;
    }
}
