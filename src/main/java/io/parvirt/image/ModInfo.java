package io.parvirt.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code .modinfo} section of a kernel module (an ELF64 relocatable file): NUL-separated
 * {@code key=value} strings, among them {@code depends=} (what modpost found the module to need)
 * and {@code vermagic=}. Debian's kernel package ships no modules.dep (depmod makes it when the
 * package is installed, which we never do), so dependencies are read from here.
 */
final class ModInfo {
    private ModInfo() {
    }

    /** Key to value; a key given more than once (alias=, ...) keeps its first value. */
    static Map<String, String> read(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        if (elf.length < 64 || b.getInt(0) != 0x464C457F || elf[4] != 2 || elf[5] != 1) {
            throw new IllegalArgumentException("not a little-endian ELF64 file");
        }
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3A));
        int shnum = Short.toUnsignedInt(b.getShort(0x3C));
        int shstrndx = Short.toUnsignedInt(b.getShort(0x3E));
        int names = (int) b.getLong(section(shoff, shentsize, shstrndx) + 0x18);
        for (int i = 0; i < shnum; i++) {
            int sh = section(shoff, shentsize, i);
            if (".modinfo".equals(cString(elf, names + b.getInt(sh)))) {
                return pairs(elf, (int) b.getLong(sh + 0x18), (int) b.getLong(sh + 0x20));
            }
        }
        return Map.of();
    }

    private static int section(long shoff, int shentsize, int index) {
        return Math.toIntExact(shoff + (long) shentsize * index);
    }

    private static Map<String, String> pairs(byte[] elf, int offset, int size) {
        Map<String, String> m = new LinkedHashMap<>();
        int end = Math.min(elf.length, offset + size);
        int start = offset;
        for (int i = offset; i < end; i++) {
            if (elf[i] == 0) {
                String s = new String(elf, start, i - start, StandardCharsets.UTF_8);
                int eq = s.indexOf('=');
                if (eq > 0) {
                    m.putIfAbsent(s.substring(0, eq), s.substring(eq + 1));
                }
                start = i + 1;
            }
        }
        return m;
    }

    private static String cString(byte[] elf, int at) {
        int end = at;
        while (end < elf.length && elf[end] != 0) {
            end++;
        }
        return new String(elf, at, end - at, StandardCharsets.US_ASCII);
    }
}
