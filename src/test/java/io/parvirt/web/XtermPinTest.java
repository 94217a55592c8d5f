package io.parvirt.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The committed xterm.js is the pinned npm release, unedited: each file on the class path (as the
 * jar serves it) has the hash PINNED records (scripts/vendor-xterm checks those against the package).
 */
@Tag("unit")
class XtermPinTest {
    @Test
    void everyVendoredFileHasItsPinnedHash() throws Exception {
        List<String[]> pins = read("PINNED").lines().filter(l -> l.startsWith("sha256 ")).map(l -> l.split(" "))
                .toList();
        assertThat(pins).extracting(p -> p[2]).containsExactlyInAnyOrder("xterm.js", "xterm.css", "LICENSE");
        for (String[] p : pins) {
            assertThat(sha256(p[2])).as(p[2]).isEqualTo(p[1]);
        }
        assertThat(read("LICENSE")).contains("The xterm.js authors").contains("Permission is hereby granted");
    }

    private static String read(String name) throws IOException {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String name) throws IOException {
        try (InputStream in = XtermPinTest.class.getResourceAsStream("/web/vendor/xterm/" + name)) {
            assertThat(in).as(name + " on the class path").isNotNull();
            return in.readAllBytes();
        }
    }

    private static String sha256(String name) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes(name)));
    }
}
