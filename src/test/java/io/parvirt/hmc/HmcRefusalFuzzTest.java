package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.InProcessSystem;
import io.parvirt.testing.StoreSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (fuzzing): generated HMC commands (the grammar's verbs and options with attribute strings
 * and {@code -f} files built from real attribute names and plausible, damaged and hostile values)
 * run one after another on a real store. Every refusal is one line with exit 1 (an {@code HSCLxxxx}
 * line; a syntax error or a VIOS command's answer without a code, as the HMC and the VIOS print them) and
 * leaves the store exactly as it was (compared table by table before and after each command); no
 * command ends in an internal failure or a stack trace. Time-boxed: {@code parvirt.fuzz.seconds}
 * (3 in the unit tier; {@code -Dparvirt.fuzz.seconds=60} for a long run), seed {@code
 * parvirt.fuzz.seed}.
 */
@Tag("unit")
class HmcRefusalFuzzTest {
    static final long SEED = Long.getLong("parvirt.fuzz.seed", 12);
    static final long SECONDS = Long.getLong("parvirt.fuzz.seconds", 3);
    static final Pattern ONE_LINE = Pattern.compile("(HSCL[0-9A-F]{4} )?[^\\n]*\\S[^\\n]*\\n");
    static final String SYS = InProcessSystem.SYS;

    @TempDir
    Path dir;

    @Test
    void everyRefusalIsOneHsclLineAndChangesNothing() {
        int refused = 0;
        int coded = 0;
        int done = 0;
        try (InProcessSystem s = new InProcessSystem(dir); StoreSnapshot store = new StoreSnapshot(
                dir.resolve("parvirt.db"))) {
            s.ok("mksyscfg", "-r", "lpar", "-m", SYS, "-i", "name=vios1,profile_name=default,lpar_env=vioserver,"
                    + "min_mem=256,desired_mem=512,max_mem=512,proc_mode=shared,min_proc_units=0.1,"
                    + "desired_proc_units=0.2,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,"
                    + "\"virtual_scsi_adapters=2/server/any//any/1\"");
            for (String n : List.of("lp1", "lp2")) {
                s.ok("mksyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + n + ",profile_name=default,"
                        + "lpar_env=aixlinux,min_mem=256,desired_mem=512,max_mem=1024,proc_mode=shared,"
                        + "min_proc_units=0.1,desired_proc_units=0.2,max_proc_units=1.0,min_procs=1,desired_procs=1,"
                        + "max_procs=2,\"virtual_eth_adapters=2/0/1//0/0\"");
            }
            s.ok("mkhmcusr", "-u", "ann", "-a", "hmcviewer", "--passwd", "abcdefgh1");
            Random rnd = new Random(SEED);
            HmcCommandGenerator g = new HmcCommandGenerator(rnd);
            long end = System.nanoTime() + SECONDS * 1_000_000_000L;
            int i = 0;
            while (System.nanoTime() < end) {
                HmcCommandGenerator.Command c = g.next();
                String before = store.take();
                HmcResult r = s.hmc.run(new HmcInvocation(c.argv(), c.files(), c.user()));
                String what = "#" + i++ + " (seed " + SEED + ") as " + c.user() + ": " + c.show() + " -> "
                        + clip(r.stdout());
                assertThat(r.exitCode()).as(what).isBetween(0, 1);
                assertThat(r.stdout()).as(what).doesNotContain("Exception").doesNotContain("\tat ")
                        .doesNotStartWith("HSCL130F");
                if (r.exitCode() == 0) {
                    done++;
                    continue;
                }
                refused++;
                assertThat(ONE_LINE.matcher(r.stdout()).matches()).as("one line: " + what).isTrue();
                if (r.stdout().startsWith("HSCL")) {
                    coded++;
                }
                assertThat(r.stdout().length()).as(what).isLessThanOrEqualTo(1100);
                assertThat(store.take()).as("the store after a refusal: " + what).isEqualTo(before);
            }
        }
        System.out.printf("HmcRefusalFuzzTest: seed %d, %d s: %d commands done, %d refused (%d with an HSCL code)%n",
                SEED, SECONDS, done, refused, coded);
        assertThat(done).as("commands that succeeded").isPositive();
        assertThat(refused).as("commands refused").isGreaterThan(done);
    }

    private static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** Seeded HMC command lines; files and users too. */
    static final class HmcCommandGenerator {
        record Command(List<String> argv, Map<String, String> files, String user) {
            String show() {
                String line = String.join(" ", argv) + (files.isEmpty() ? "" : " with " + files);
                return line.length() > 400 ? line.substring(0, 400) + "...(" + line.length() + " chars)" : line;
            }
        }

        static final List<String> ATTRIBUTES = List.of("name", "lpar_id", "profile_name", "lpar_env", "min_mem",
                "desired_mem", "max_mem", "proc_mode", "min_procs", "desired_procs", "max_procs", "min_proc_units",
                "desired_proc_units", "max_proc_units", "sharing_mode", "uncap_weight", "virtual_eth_adapters",
                "virtual_scsi_adapters", "new_name", "lpar_name", "max_pool_proc_units", "reserved_pool_proc_units",
                "shared_proc_pool_name", "boot_mode", "max_virtual_slots", "lpar_ids", "nosuch", "");
        static final List<String> VALUES = List.of("lp1", "lp2", "vios1", "lp3", "default", "aixlinux", "vioserver",
                "os400", "256", "512", "1024", "0", "-1", "99999999999", "1.5", "0.05", "0.001", "2", "shared", "ded",
                "uncap", "cap", "128", "300", "2/0/1//0/0", "3/1/5/6/0/1", "2/client//vios1/2/1", "2/server/any//any/1",
                "", " ", "a\nb", "a\0b", "x\"y", "a,b", "\u2603", "\u2028", "name", "=", "norm", "DefaultPool",
                "SharedPool01", "1/2", "1e3", "+1", "0x10");
        static final List<String> VERBS = List.of("mksyscfg", "chsyscfg", "rmsyscfg", "chhwres", "mkhmcusr",
                "rmhmcusr", "chsysstate", "viosvrcmd", "mkaccfg", "chaccfg", "rmaccfg", "chhmcusr", "raw");
        static final List<String> USERS = List.of("local:test", "local:test", "local:test", "ann", "nosuch");

        private final Random rnd;

        HmcCommandGenerator(Random rnd) {
            this.rnd = rnd;
        }

        private <T> T pick(List<T> l) {
            return l.get(rnd.nextInt(l.size()));
        }

        private boolean p(double x) {
            return rnd.nextDouble() < x;
        }

        String value() {
            if (p(0.03)) {
                return "v".repeat(1 + rnd.nextInt(3000));
            }
            if (p(0.1)) {
                return Integer.toString(rnd.nextInt(4096) - 8);
            }
            return pick(VALUES);
        }

        /** One attribute string: assignments, sometimes damaged. */
        String attributes() {
            List<String> parts = new ArrayList<>();
            int n = 1 + rnd.nextInt(8);
            for (int k = 0; k < n; k++) {
                String op = p(0.85) ? "=" : pick(List.of("+=", "-=", "==", ""));
                String a = pick(ATTRIBUTES) + op + value();
                parts.add(a.contains(",") || p(0.05) ? "\"" + a + "\"" : a);
            }
            String s = String.join(",", parts);
            if (p(0.05)) {
                s = s + pick(List.of(",", ",,", "\"", "\n", "name=lp1"));
            }
            return s;
        }

        /** A well-formed change with one value drawn at random: often accepted, so refusals follow real changes. */
        Command plausible() {
            String n = pick(List.of("lp1", "lp2", "lp3", "lp4"));
            List<String> a = switch (rnd.nextInt(4)) {
                case 0 -> List.of("mksyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + n + ",profile_name=default,"
                        + "lpar_env=aixlinux,min_mem=256,desired_mem=" + pick(List.of("512", "256", value()))
                        + ",max_mem=1024,proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.2,"
                        + "max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2");
                case 1 -> List.of("chsyscfg", "-r", "prof", "-m", SYS, "-i", "name=default,lpar_name=" + n + ","
                        + pick(List.of("desired_mem", "uncap_weight", "desired_procs", "sharing_mode")) + "="
                        + pick(List.of("512", "64", "2", "uncap", value())));
                case 2 -> List.of("chsyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + n + ",new_name="
                        + pick(List.of("lp1", "lp2", "lp3", "lp4", value())));
                default -> List.of("chhwres", "-r", "procpool", "-m", SYS, "-o", "s", "--poolname", "SharedPool01",
                        "-a", "max_pool_proc_units=" + pick(List.of("1.0", "2.0", "0", value())));
            };
            return new Command(a, Map.of(), pick(USERS));
        }

        Command next() {
            if (p(0.3)) {
                return plausible();
            }
            String verb = pick(VERBS);
            String user = pick(USERS);
            Map<String, String> files = Map.of();
            List<String> a = new ArrayList<>(List.of(verb));
            switch (verb) {
                case "mksyscfg", "chsyscfg" -> {
                    a.addAll(List.of("-r", pick(List.of("lpar", "prof", "sys", "procpool", "x")), "-m", p(0.9) ? SYS
                            : value()));
                    if (p(0.3)) {
                        StringBuilder f = new StringBuilder();
                        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                            f.append(attributes()).append('\n');
                        }
                        files = Map.of("/in", f.toString());
                        a.addAll(List.of("-f", p(0.9) ? "/in" : "/missing"));
                    } else {
                        a.addAll(List.of("-i", attributes()));
                    }
                }
                case "rmsyscfg" -> a.addAll(List.of("-r", pick(List.of("lpar", "prof")), "-m", SYS, "-n", value(),
                        "-p", pick(VALUES)));
                case "chhwres" -> {
                    a.addAll(List.of("-r", pick(List.of("proc", "mem", "procpool")), "-m", SYS, "-o",
                            pick(List.of("a", "r", "s", "m")), "-p", pick(VALUES)));
                    a.addAll(pick(List.of(List.of("--procs", value()), List.of("--procunits", value()),
                            List.of("-q", value()), List.of("--poolname", value(), "-a", attributes()),
                            List.of("-a", attributes()))));
                }
                case "mkhmcusr" -> a.addAll(List.of("-u", value(), "-a", pick(List.of("hmcviewer", "hmcoperator",
                        "hmcsuperadmin", "hmcpe", "nosuch")), "--passwd", pick(List.of("abcdefgh1", "", "x"))));
                case "rmhmcusr" -> a.addAll(List.of("-u", value()));
                // managed-resource roles: well-formed and damaged resource lists, roles in use, unknown users
                case "mkaccfg", "chaccfg" -> a.addAll(List.of("-t", pick(List.of("resourcerole", "taskrole", "x")),
                        "-i", "name=" + pick(List.of("r1", "r2", value())) + ",resources=" + pick(List.of(
                                "lpar:lp1", "lpar:lp1,lpar:lp2", "cec:" + SYS, "lpar:nosuch", "lpar:", "cec:nosuch",
                                "ALL_PARTITIONS*" + SYS, value()))));
                case "rmaccfg" -> a.addAll(List.of("-t", pick(List.of("resourcerole", "taskrole")), "-n",
                        pick(List.of("r1", "r2", value()))));
                case "chhmcusr" -> a.addAll(List.of("-i", "name=" + pick(List.of("ann", "nosuch", value()))
                        + "," + pick(List.of("resourcerole", "taskrole")) + "=" + pick(List.of("r1", "ALL:",
                        "hmcoperator", value()))));
                case "chsysstate" -> a.addAll(List.of("-r", "lpar", "-m", SYS, "-o", pick(List.of("on", "shutdown",
                        "restart", "x")), "-n", value()));
                case "viosvrcmd" -> a.addAll(List.of("-m", SYS, "-p", pick(List.of("vios1", "lp1", "x")), "-c",
                        pick(List.of("mksp -fb pool1 -size 64M", "mkbdsp -sp pool1 8M -bd d1 -vadapter vhost0",
                                "rmbdsp -bd d1", "mkvopt -name m1 -file /etc/passwd", "mkrep -sp pool1 -size 8M",
                                "rmsp -f pool1", "lsmap -all", "mkvdev -fbo -vadapter vhost0"))
                                + (p(0.3) ? " " + value() : "")));
                default -> {
                    a = CommandParserFuzzTest.randomLine(rnd);
                    files = Map.of("/f", attributes() + "\n");
                }
            }
            return new Command(a, files, user);
        }
    }
}
