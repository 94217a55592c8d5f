package io.parvirt.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal ISO 9660 image with one file in its root directory, for the virtual optical tests.
 * Written here rather than with genisoimage so the tests need no further host package: volume
 * descriptor at sector 16, terminator at 17, L and M path tables at 18 and 19, the root directory
 * at 20 and the file's data from 21.
 */
final class IsoImage {
    private static final int SECTOR = 2048;
    private static final int ROOT = 20;
    private static final int DATA = 21;

    private IsoImage() {
    }

    static void write(Path iso, String volume, String fileName, byte[] content) throws IOException {
        int dataSectors = (content.length + SECTOR - 1) / SECTOR;
        int total = DATA + dataSectors;
        ByteBuffer b = ByteBuffer.allocate(total * SECTOR);

        b.position(16 * SECTOR);
        b.put((byte) 1).put("CD001".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        text(b, "LINUX", 32);
        text(b, volume, 32);
        b.position(b.position() + 8);
        both32(b, total);
        b.position(b.position() + 32);
        both16(b, 1);
        both16(b, 1);
        both16(b, SECTOR);
        both32(b, 10);
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(18).putInt(0);
        b.order(ByteOrder.BIG_ENDIAN).putInt(19).putInt(0);
        record(b, ROOT, SECTOR, true, new byte[] {0});
        text(b, "", 128 * 4 + 37 * 3);
        for (int i = 0; i < 4; i++) {
            b.put("0000000000000000".getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        }
        b.put((byte) 1);

        b.position(17 * SECTOR);
        b.put((byte) 255).put("CD001".getBytes(StandardCharsets.US_ASCII)).put((byte) 1);

        for (int table = 18; table <= 19; table++) {
            b.position(table * SECTOR);
            b.put((byte) 1).put((byte) 0);
            b.order(table == 18 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN).putInt(ROOT).putShort((short) 1);
            b.order(ByteOrder.BIG_ENDIAN).put((byte) 0).put((byte) 0);
        }

        b.position(ROOT * SECTOR);
        record(b, ROOT, SECTOR, true, new byte[] {0});
        record(b, ROOT, SECTOR, true, new byte[] {1});
        record(b, DATA, content.length, false, (fileName.toUpperCase() + ";1").getBytes(StandardCharsets.US_ASCII));

        b.position(DATA * SECTOR);
        b.put(content);
        Files.write(iso, b.array());
    }

    /** A directory record: 33 bytes and the name, padded to an even length. */
    private static void record(ByteBuffer b, int extent, int length, boolean dir, byte[] name) {
        int len = 33 + name.length + (name.length % 2 == 0 ? 1 : 0);
        int start = b.position();
        b.put((byte) len).put((byte) 0);
        both32(b, extent);
        both32(b, length);
        b.put(new byte[] {126, 11, 22, 12, 0, 0, 0}); // 2026-11-22 12:00:00 UTC
        b.put((byte) (dir ? 2 : 0)).put((byte) 0).put((byte) 0);
        both16(b, 1);
        b.put((byte) name.length).put(name);
        b.position(start + len);
    }

    private static void both16(ByteBuffer b, int v) {
        b.order(ByteOrder.LITTLE_ENDIAN).putShort((short) v);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) v);
    }

    private static void both32(ByteBuffer b, int v) {
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(v);
        b.order(ByteOrder.BIG_ENDIAN).putInt(v);
    }

    private static void text(ByteBuffer b, String s, int width) {
        byte[] t = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            b.put(i < t.length ? t[i] : (byte) ' ');
        }
    }
}
