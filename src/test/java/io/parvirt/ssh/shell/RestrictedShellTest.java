package io.parvirt.ssh.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The restricted shell runs what HMC clients send (issue 15) and refuses what rbash refuses. */
@Tag("unit")
class RestrictedShellTest {
    /** A stand-in HMC: two systems, three partitions, and HMC-style errors on stdout. */
    static final RestrictedShell.Commands HMC = new RestrictedShell.Commands() {
        @Override
        public boolean offers(String name) {
            return name.startsWith("ls") || name.startsWith("mk") || name.startsWith("ch");
        }

        @Override
        public Result run(List<String> argv) {
            String line = String.join(" ", argv);
            return switch (line) {
                case "lssyscfg -r sys -F name" -> new Result("sysA\nsys B\n", 0);
                case "lssyscfg -r lpar -m sysA -F name" -> new Result("lp1\nlp2\n", 0);
                case "lssyscfg -r lpar -m sys B -F name" -> new Result("vios1\n", 0);
                case "lssyscfg -r sys" -> new Result("name=sysA,state=Operating\nname=sys B,state=Operating\n", 0);
                case "lshwres -r mempool -m sysA" -> new Result("No results were found.\n", 0);
                default -> new Result("argv=" + argv + "\n", line.contains("bad") ? 1 : 0);
            };
        }
    };

    record Run(String out, String err, int status) {
    }

    static Run run(RestrictedShell sh, String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int st;
        try {
            st = sh.run(line, new ByteArrayInputStream(new byte[0]), out, err, false);
        } catch (RestrictedShell.ExitSignal e) {
            st = e.status();
        }
        return new Run(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), st);
    }

    static Run run(String line) {
        return run(new RestrictedShell(HMC, Map.of("PATH", "/hmcrbin", "HOME", "/home/hscroot")), line);
    }

    @Test
    void langPrefixAndEndMarker() {
        assertThat(run("LANG=C lssyscfg -r sys; echo END-OF-TRANSMISSION")).isEqualTo(new Run(
                "name=sysA,state=Operating\nname=sys B,state=Operating\nEND-OF-TRANSMISSION\n", "", 0));
    }

    @Test
    void pipeIntoWhileReadLoop() {
        assertThat(run("lssyscfg -r lpar -m 'sysA' -F name | while read i ; do echo \"lpar: $i\"; done").out())
                .isEqualTo("lpar: lp1\nlpar: lp2\n");
    }

    @Test
    void processSubstitutionFeedsALoopWithQuotedArguments() {
        assertThat(run("while read s ; do lssyscfg -r lpar -m \"$s\" -F name; done < <(lssyscfg -r sys -F name)").out())
                .isEqualTo("lp1\nlp2\nvios1\n");
    }

    @Test
    void ifTestOnAPathSeesNoFiles() {
        assertThat(run("if test -r /some/path ; then echo 1 ; else echo 0 ; fi")).isEqualTo(new Run("0\n", "", 0));
        assertThat(run("if [ -n \"x\" ]; then echo yes; fi").out()).isEqualTo("yes\n");
    }

    @Test
    void quotingEscapesAndPaddingSpaces() {
        assertThat(run("chsyscfg   -r  lpar -m sysA -i \"name=lp1,\\\"lpar_io_pool_ids=1,2\\\"\"  ").out())
                .isEqualTo("argv=[chsyscfg, -r, lpar, -m, sysA, -i, name=lp1,\"lpar_io_pool_ids=1,2\"]\n");
        assertThat(run("echo 'a  b' \"c $HOME\" d\\ e").out()).isEqualTo("a  b c /home/hscroot d e\n");
        assertThat(run("echo -n x; echo y").out()).isEqualTo("xy\n");
    }

    @Test
    void commandSubstitutionAndExitStatus() {
        assertThat(run("n=$(lssyscfg -r sys -F name | grep -c sys); echo $n").out()).isEqualTo("2\n");
        assertThat(run("lssyscfg bad; echo $?").out()).isEqualTo("argv=[lssyscfg, bad]\n1\n");
        assertThat(run("lssyscfg bad").status()).isEqualTo(1);
        assertThat(run("lshwres -r mempool -m sysA")).isEqualTo(new Run("No results were found.\n", "", 0));
    }

    @Test
    void toolsFilterAndSort() {
        assertThat(run("lssyscfg -r sys -F name | sort -r | tail -1").out()).isEqualTo("sys B\n");
        assertThat(run("lssyscfg -r sys -F name | sed 's/sys/system-/g' | egrep -v 'A$'").out())
                .isEqualTo("system- B\n");
        assertThat(run("lssyscfg -r sys | sed -n 's/.*name=\\([^,]*\\),.*/\\1/p'").out()).isEqualTo("sysA\nsys B\n");
        assertThat(run("echo b,2; echo a,10 | sort -t, -k2n").out()).isEqualTo("b,2\na,10\n");
        assertThat(run("uname").out()).isEqualTo("Linux\n");
        assertThat(run("date +%Y").out()).matches("\\d{4}\n");
    }

    @Test
    void escapesAreRefusedAndTheSessionGoesOn() {
        RestrictedShell sh = new RestrictedShell(HMC, Map.of("PATH", "/hmcrbin"));
        for (String attempt : List.of("cd /", "/bin/sh", "PATH=/bin", "export PATH=/bin", "exec lssyscfg",
                "echo x > /tmp/parvirt-escape", "echo x >> f", "lssyscfg 2>f", "echo $(/bin/cat /etc/passwd)",
                "echo $(cat /etc/passwd)", "BASH_ENV=/tmp/x lssyscfg", "env", "grep -r token /", "tail /home/token",
                "tail run/token", "sed e", "sed 's/x/id/e'", "sed 'w /tmp/x'", "sort -o /tmp/x", "cat < /etc/passwd",
                ". /etc/profile", "source x", "bash", "python3", "unset PATH", "enable -f x y", "command ls")) {
            Run r = run(sh, attempt);
            if (!attempt.startsWith("echo $(")) { // echo itself succeeds, as in bash, with nothing to print
                assertThat(r.status()).as(attempt).isNotZero();
            }
            assertThat(r.err()).as(attempt).isNotEmpty();
            assertThat(r.out()).as(attempt).doesNotContain("root:");
            assertThat(run(sh, "echo still here").out()).as(attempt).isEqualTo("still here\n");
        }
        assertThat(run(sh, "echo $PATH").out()).isEqualTo("/hmcrbin\n");
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/tmp/parvirt-escape"))).isFalse();
    }

    @Test
    void refusalsUseBashWords() {
        assertThat(run("cd /").err()).isEqualTo("rbash: cd: restricted\n");
        assertThat(run("/bin/sh").err()).isEqualTo("rbash: /bin/sh: restricted: cannot specify `/' in command names\n");
        assertThat(run("echo x > /tmp/f").err()).isEqualTo("rbash: /tmp/f: restricted: cannot redirect output\n");
        assertThat(run("foo").err()).isEqualTo("rbash: foo: command not found\n");
        assertThat(run("foo").status()).isEqualTo(127);
        assertThat(run("sed 'w /tmp/x'").err()).contains("e/r/w commands disabled in sandbox mode");
    }

    @Test
    void syntaxErrorsAndLoopsEnd() {
        assertThat(run("if true; then echo").status()).isEqualTo(2);
        assertThat(run("while true; do :; done").status()).isEqualTo(1);
        assertThat(run("for i in a b c; do echo $i; if [ $i = b ]; then break; fi; done").out()).isEqualTo("a\nb\n");
        assertThat(run("exit 3; echo no")).isEqualTo(new Run("", "", 3));
        assertThat(run("true && echo a || echo b; false && echo c || echo d").out()).isEqualTo("a\nd\n");
        assertThat(run("echo a 2>&1 | grep a").out()).isEqualTo("a\n");
    }
}
