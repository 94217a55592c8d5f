package io.parvirt.ssh.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Random command strings from the shell's own vocabulary: each ends (a status, a line on standard
 * error at worst), never with an exception out of the shell, and never reaches a file (the
 * stand-in HMC below is the only thing that could print "root:").
 */
@Tag("unit")
class RestrictedShellFuzzTest {
    static final List<String> WORDS = List.of("lssyscfg", "-r", "sys", "-F", "name", "echo", "grep", "egrep", "sed",
            "sort", "tail", "date", "uname", "read", "test", "[", "]", "while", "do", "done", "if", "then",
            "else", "fi", "for", "in", "{", "}", "(", ")", ";", "|", "||", "&&", "&", "<", ">", ">>", "2>&1", "<(",
            "$(", "`", "'", "\"", "\\", "$i", "${x}", "$?", "x=1", "PATH=/", "cd", "exec", "exit", "break", "-n",
            "-e", "s/a/b/g", "'s/x/y/w f'", "e", "-r", "-o", "/etc/passwd", "\n", "#", "~", "*", "-c", "1", "!",
            "=", "-eq", "eval", "true", "false", "$((", "<<");

    @Test
    void randomCommandStringsEndWithAStatus() {
        Random rnd = new Random(15);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder b = new StringBuilder();
            int len = 1 + rnd.nextInt(12);
            for (int k = 0; k < len; k++) {
                b.append(WORDS.get(rnd.nextInt(WORDS.size()))).append(rnd.nextInt(4) == 0 ? "" : " ");
            }
            String line = b.toString();
            RestrictedShellTest.Run r = RestrictedShellTest.run(new RestrictedShell(RestrictedShellTest.HMC,
                    Map.of("PATH", "/hmcrbin")), line);
            assertThat(r.status()).as(line).isBetween(0, 255);
            assertThat(r.out()).as(line).doesNotContain("root:");
        }
    }
}
