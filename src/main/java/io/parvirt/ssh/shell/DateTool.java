package io.parvirt.ssh.shell;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** {@code date [-u] [+FORMAT]}: the common {@code %} conversions, in English as with {@code LANG=C}. */
final class DateTool {
    private DateTool() {
    }

    static int run(List<String> args, Io io) {
        ZoneId zone = ZoneId.systemDefault();
        String format = "%a %b %e %H:%M:%S %Z %Y";
        for (String a : args) {
            if (a.equals("-u") || a.equals("--utc")) {
                zone = ZoneOffset.UTC;
            } else if (a.startsWith("+")) {
                format = a.substring(1);
            } else {
                io.err().write("date: " + a + ": not offered in the HMC shell (date [-u] [+FORMAT])\n");
                return 1;
            }
        }
        io.out().write(format(ZonedDateTime.now(zone), format) + "\n");
        return 0;
    }

    static String format(ZonedDateTime t, String f) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c != '%' || i + 1 >= f.length()) {
                b.append(c);
                continue;
            }
            char k = f.charAt(++i);
            b.append(switch (k) {
                case 'Y' -> String.valueOf(t.getYear());
                case 'y' -> two(t.getYear() % 100);
                case 'm' -> two(t.getMonthValue());
                case 'd' -> two(t.getDayOfMonth());
                case 'e' -> String.format("%2d", t.getDayOfMonth());
                case 'H' -> two(t.getHour());
                case 'M' -> two(t.getMinute());
                case 'S' -> two(t.getSecond());
                case 'j' -> String.format("%03d", t.getDayOfYear());
                case 's' -> String.valueOf(t.toEpochSecond());
                case 'a' -> pattern(t, "EEE");
                case 'A' -> pattern(t, "EEEE");
                case 'b', 'h' -> pattern(t, "MMM");
                case 'B' -> pattern(t, "MMMM");
                case 'Z' -> t.getZone().equals(ZoneOffset.UTC) ? "UTC" : pattern(t, "zzz");
                case 'z' -> pattern(t, "xx");
                case 'T' -> format(t, "%H:%M:%S");
                case 'D' -> format(t, "%m/%d/%y");
                case 'F' -> format(t, "%Y-%m-%d");
                case 'n' -> "\n";
                case 't' -> "\t";
                case '%' -> "%";
                default -> "%" + k;
            });
        }
        return b.toString();
    }

    private static String two(int v) {
        return String.format("%02d", v);
    }

    private static String pattern(ZonedDateTime t, String p) {
        return DateTimeFormatter.ofPattern(p, Locale.ROOT).format(t);
    }
}
