package io.parvirt.image;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Orders names that embed versions the way people read them: runs of digits compare as numbers, so
 * {@code linux-image-6.1.0-50-cloud-amd64} is newer than {@code linux-image-6.1.0-9-cloud-amd64}.
 */
final class VersionOrder implements Comparator<String> {
    static final VersionOrder INSTANCE = new VersionOrder();
    private static final Pattern RUN = Pattern.compile("\\d+|\\D+");

    private VersionOrder() {
    }

    @Override
    public int compare(String a, String b) {
        Matcher x = RUN.matcher(a);
        Matcher y = RUN.matcher(b);
        while (x.find() && y.find()) {
            String p = x.group();
            String q = y.group();
            boolean digits = Character.isDigit(p.charAt(0)) && Character.isDigit(q.charAt(0));
            int c = digits ? compareNumbers(p, q) : p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    private static int compareNumbers(String p, String q) {
        String s = p.replaceFirst("^0+(?=.)", "");
        String t = q.replaceFirst("^0+(?=.)", "");
        return s.length() != t.length() ? Integer.compare(s.length(), t.length()) : s.compareTo(t);
    }
}
