package io.parvirt.ssh;

import static io.parvirt.ssh.SshRig.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.it.Cli;
import io.parvirt.ssh.SshRig.Exec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item by item: every command line the issue names (the listings tools call, the
 * viosvrcmd forms, lslparutil's options, lssvcevents' own attributes and filter, the system by
 * type-model*serial, refusals) sent through OpenSSH's {@code ssh} with {@code sshpass} and answered
 * byte for byte as {@code ./parvirt} answers it; the changes tools send at Service Pack 1060
 * (rmsyscfg --vioscfg --vdisk, chsyscfg -o apply, chsysstate -r sys) over SSH; every escape
 * attempt inside one interactive OpenSSH session, which goes on after each; scp, sftp and
 * forwarding refused to OpenSSH; the host key kept across a restart.
 */
@Tag("daemon")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the changes and the restart come last
class SshToolCommandsTest {
    private static final String COMMON = "min_mem=256,desired_mem=512,max_mem=1024,proc_mode=shared,"
            + "min_proc_units=0.05,desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,"
            + "max_virtual_slots=20";
    /** Read-only command lines from the issue, as tools send them (quotes included). */
    private static final List<String> LISTINGS = List.of("lshmc -V", "lshmc -v", "lshmc -n", "lshmc -b", "lshmc -r",
            "lslic -m sys1", "lslic -m sys1 -t sys -F activated_level,activated_spname,ecnumber",
            "lsled -r sa -m sys1 -t phys", "lsled -r sa -m sys1 -t virtualsys", "lsled -r sa -m sys1 -t virtuallpar",
            "lssvcevents -t hardware", "lssvcevents -t hardware -F first_time~sys_name~text",
            "lssvcevents -t hardware --filter status=open",
            "lssvcevents -t hardware --filter \"status=open\" -F first_time~sys_name~text",
            "lscod -m sys1 -t cap -r proc -c cuod", "lscod -m sys1 -t cap -r mem -c cuod", "lscodpool --level pool",
            "lshwres -r io --rsubtype slot -m sys1", "lshwres -r io --rsubtype slotchildren -m sys1",
            "lshwres -r mempool -m sys1",
            "lshwres -r virtualio --rsubtype eth --level lpar -m sys1",
            "lshwres -r virtualio --rsubtype eth --level sys -m sys1",
            "lshwres -r virtualio --rsubtype scsi --level lpar -m sys1",
            "lshwres -r virtualio --rsubtype fc --level lpar -m sys1",
            "lshwres -r virtualio --rsubtype serial --level lpar -m sys1",
            "lshwres -r virtualio --rsubtype slot --level lpar -m sys1",
            "lshwres -r virtualio --rsubtype slot --level slot -m sys1", "lshwres -r virtualio --rsubtype vswitch -m sys1",
            "lslparutil -r config -m sys1", "lslparutil -r lpar -m sys1 -d 1", "lslparutil -r lpar -m sys1 -h 2",
            "lslparutil -r sys -m sys1 -s h", "lslparutil -r pool -m sys1 -s d",
            "lslparutil -r procpool -m sys1 --startyear 2026 --startmonth 1 --startday 1", "lslparutil -r all -m sys1 -n 5",
            "lslparutil -r lpar -m sys1 --filter \"event_types=config_change\"", "lslparutil -r mempool -m sys1",
            "lslparutil -r lpar -m sys1 -s x", "lsrefcode -r lpar -m sys1 -n 2",
            "viosvrcmd -m sys1 -p vios1 -c \"ioslevel\"", "viosvrcmd -m sys1 -p vios1 -c \"lsmap -all -fmt :\"",
            "viosvrcmd -m sys1 -p vios1 -c \"lsmap -all -npiv -fmt :\"",
            "viosvrcmd -m sys1 -p vios1 -c \"lspv -size -fmt :\"", "viosvrcmd -m sys1 -p vios1 -c \"lspv -free -fmt :\"",
            "viosvrcmd -m sys1 -p vios1 -c \"chkdev -fmt : -field name identifier\"",
            "viosvrcmd -m sys1 -p vios1 -c \"lsdev\"", "viosvrcmd -m sys1 -p vios1 -c \"lsdev -vpd\"",
            "viosvrcmd -m sys1 -p vios1 -c \"lsdev -dev hdisk0 -attr\"",
            "viosvrcmd -m sys1 -p vios1 -c \"license -accept\"", "viosvrcmd -m sys1 -p vios1 -c \"entstat -all ent0\"",
            "viosvrcmd -m sys1 -p vios1 -c \"fcstat -e fcs0\"", "viosvrcmd -m sys1 -p nosuch -c \"ioslevel\"",
            "lssyscfg -r sys -F name", "lssyscfg -r prof -m sys1 --filter \"lpar_names=vios1\"",
            "chhwres -r mem -m sys1 -o a -p nosuch -q 256", "lssyscfg --help", "viosvrcmd --help", "lshmc --help");
    private SshRig rig;

    @BeforeAll
    void start() {
        rig = new SshRig("");
        ok("mkhmcusr", "-u", SshRig.USER, "-a", "hmcsuperadmin", "--passwd", PASSWORD);
        ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=vios1,lpar_id=2,profile_name=default,lpar_env=vioserver,"
                + COMMON + ",virtual_scsi_adapters=11/server/any//any/1,virtual_eth_adapters=3/0/1//1/0");
        // The client's adapter leaves the remote id empty, as scripts do (reference §10).
        ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=lp1,lpar_id=5,profile_name=default,lpar_env=aixlinux,"
                + COMMON + ",virtual_scsi_adapters=2/client//vios1/11/1,virtual_eth_adapters=4/0/1//0/0");
        ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mkbdsp -sp rootvg 64M -bd lp1_root -vadapter vhost0");
    }

    @AfterAll
    void stop() {
        rig.close();
    }

    private Cli.Result ok(String... argv) {
        Cli.Result r = rig.cli(argv);
        assertThat(r.exit()).as(String.join(" ", argv) + ": " + r.stdout()).isZero();
        return r;
    }

    /** The words a shell makes of {@code line} (plain words, '…' and "…"; all the lists above use). */
    static String[] words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean in = false;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                in = true;
            } else if (c == ' ') {
                if (in) {
                    out.add(w.toString());
                    w.setLength(0);
                    in = false;
                }
            } else {
                w.append(c);
                in = true;
            }
        }
        if (in) {
            out.add(w.toString());
        }
        return out.toArray(String[]::new);
    }

    @Test
    @Order(1)
    void everyCommandLineOfTheIssueThroughOpenSshIsWhatParvirtPrints() {
        String mtms = ok("lssyscfg", "-r", "sys", "-F", "type_model,serial_num").stdout().strip().replace(",", "*");
        List<String> lines = new ArrayList<>(LISTINGS);
        lines.add("lssyscfg -r sys -m " + mtms + " -F name,state");
        lines.add("lssyscfg -r sys -m '" + mtms + "'");
        List<String> differ = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            // ./parvirt itself for --help (answered without the daemon) and every tenth line; the
            // others through the same route without a JVM each (a JVM per line was most of this class's time).
            boolean viaCli = line.contains("--help") || i % 10 == 0;
            // A sample stored between the two runs may change a utilization listing: one taken before
            // and one after the SSH run, and the SSH answer must be one of them (samples are 30 s apart).
            Cli.Result before = viaCli ? rig.cli(words(line)) : rig.api(words(line));
            Exec ssh = clock(rig.openssh(PASSWORD, List.of(), line));
            Cli.Result after = !line.startsWith("lslparutil") ? before
                    : viaCli ? rig.cli(words(line)) : rig.api(words(line));
            boolean same = ssh.err().isEmpty() && (ssh.equals(clock(new Exec(before.stdout(), "", before.exit())))
                    || ssh.equals(clock(new Exec(after.stdout(), "", after.exit()))));
            if (!same) {
                differ.add(line + "\n  ssh: " + ssh + "\n  cli: " + before.exit() + " " + before.stdout());
            }
            assertThat(before.stderr()).as(line).doesNotContain("Exception");
        }
        assertThat(differ).isEmpty();
        // What the answers are, not only that both paths agree.
        assertThat(ok(words(lines.get(lines.size() - 2))).stdout()).isEqualTo("sys1,Operating\n");
        assertThat(ok("lssvcevents", "-t", "hardware", "--filter", "status=open").stdout())
                .isEqualTo("No results were found.\n");
        assertThat(ok("lshwres", "-r", "virtualio", "--rsubtype", "scsi", "--level", "lpar", "-m", "sys1").stdout())
                .contains("lpar_name=lp1,lpar_id=5,slot_num=2,state=0,is_required=1,adapter_type=client,"
                        + "remote_lpar_id=2,remote_lpar_name=vios1,remote_slot_num=11\n");
        assertThat(ok("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "lpar_names=vios1").stdout())
                .contains(",boot_mode=norm,");
        assertThat(rig.cli("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "fcstat -e fcs0").stdout())
                .startsWith("HSCL2970 ");
        assertThat(rig.cli("chhwres", "-r", "mem", "-m", "sys1", "-o", "a", "-p", "nosuch", "-q", "256").stdout())
                .startsWith("HSCL8012 ");
        assertThat(rig.cli("lslparutil", "-r", "lpar", "-m", "sys1", "-s", "x").exit()).isEqualTo(1);
    }

    /** lssyscfg -r sys prints the system's clock: the second it was asked in is not compared. */
    static Exec clock(Exec e) {
        return new Exec(e.out().replaceAll("sys_time=\\d\\d/\\d\\d/\\d{4} \\d\\d:\\d\\d:\\d\\d,", "sys_time=T,"),
                e.err(), e.status());
    }

    @Test
    void monhmcAnswersOverSshInTheShapeParvirtPrints() {
        for (String r : List.of("mem", "swap", "proc", "disk")) {
            Cli.Result cli = ok("monhmc", "-r", r, "-n", "0");
            Exec ssh = rig.openssh(PASSWORD, List.of(), "monhmc -r " + r + " -n 0");
            // Live figures of the host: the same lines with the same labels, not the same numbers (nor
            // the padding that their widths leave).
            assertThat(ssh.status()).as(r).isZero();
            assertThat(ssh.out().lines().map(l -> l.replaceAll("[0-9.]+", "N").replaceAll(" +", " ")).toList()).as(r)
                    .isEqualTo(cli.stdout().lines().map(l -> l.replaceAll("[0-9.]+", "N").replaceAll(" +", " "))
                            .toList()).isNotEmpty();
        }
    }

    @Test
    void theShellFormsToolsSendThroughOpenSshGiveWhatTheCommandsPrint() {
        String sys = ok("lssyscfg", "-r", "sys").stdout();
        String names = ok("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name").stdout();
        String lsdev = ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "lsdev").stdout();
        assertThat(clock(rig.openssh(PASSWORD, List.of(), "LANG=C lssyscfg -r sys; echo END-OF-TRANSMISSION")))
                .isEqualTo(clock(new Exec(sys + "END-OF-TRANSMISSION\n", "", 0)));
        assertThat(clock(new Exec(sys, "", 0)).out()).contains(",sys_time=T,");
        assertThat(rig.openssh(PASSWORD, List.of(), "lssyscfg -r lpar -m 'sys1' -F name | while read i ; do "
                + "echo \"[$i]\"; done").out()).isEqualTo(names.lines().map(n -> "[" + n + "]\n").collect(
                        Collectors.joining()));
        assertThat(rig.openssh(PASSWORD, List.of(), "while read s ; do lssyscfg -r lpar -m \"$s\"   -F   name ; done "
                + "< <(lssyscfg -r sys -F name)").out()).isEqualTo(names);
        assertThat(rig.openssh(PASSWORD, List.of(), "if test -r /some/path ; then echo 1 ; else echo 0 ; fi"))
                .isEqualTo(new Exec("0\n", "", 0));
        // The loop tools run over lsdev: the same devices as the lines of lsdev that match.
        String expected = lsdev.lines().filter(l -> l.contains("Virtual SCSI")).map(l -> l.split(" +")[0] + "\n")
                .collect(Collectors.joining());
        assertThat(expected).isNotEmpty();
        assertThat(rig.openssh(PASSWORD, List.of(), "viosvrcmd -m sys1 -p vios1 -c \"lsdev\" | grep \"Virtual SCSI\" "
                + "| while read i j ; do echo $i ; done").out()).isEqualTo(expected);
        assertThat(rig.openssh(PASSWORD, List.of(), "lshmc -V | grep 'Service Pack' | sed 's/.*: //'").out())
                .isEqualTo("1060\n");
    }

    @Test
    void refusalsOverSshChangeNothing() {
        String before = ok("lssyscfg", "-r", "lpar", "-m", "sys1").stdout();
        String line = "mksyscfg -r lpar -m sys1 -i \"name=lp9,profile_name=default,lpar_env=aixlinux,all_resources=1\"";
        Cli.Result cli = rig.cli(words(line));
        Exec ssh = rig.openssh(PASSWORD, List.of(), line);
        assertThat(ssh).isEqualTo(new Exec(cli.stdout(), "", 1));
        assertThat(ssh.out()).startsWith("HSCL").contains("all_resources");
        assertThat(ok("lssyscfg", "-r", "lpar", "-m", "sys1").stdout()).isEqualTo(before);
    }

    @Test
    @Order(Integer.MAX_VALUE - 1) // after the unordered ones (Order.DEFAULT)
    void whatToolsSendAtServicePack1060ChangesTheSystemOverSsh() {
        // -i with blanks after the commas and a list value's trailing comma (reference §10).
        assertThat(rig.openssh(PASSWORD, List.of(), "mksyscfg -r lpar -m sys1 -i \"name=lp2, lpar_id=6, "
                + "profile_name=default, lpar_env=aixlinux, " + COMMON.replace(",", ", ")
                + ", \\\"virtual_eth_adapters=5/0/1//0/0,\\\"\"")).isEqualTo(new Exec("", "", 0));
        assertThat(ok("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "lpar_names=lp2", "-F",
                "virtual_eth_adapters").stdout()).isEqualTo("5/0/1//0/0/ETHERNET0//all/none\n");
        assertThat(rig.openssh(PASSWORD, List.of(), "chsyscfg -r lpar -m sys1 -p lp2 -n default -o apply"))
                .isEqualTo(new Exec("", "", 0));
        // lp1's mapping and its backing device go with it.
        assertThat(ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "lsmap -all -field svsa vtd -fmt :").stdout())
                .startsWith("vhost0:vtscsi0");
        Path disk = rig.dir.resolve("vios/2/pools/rootvg/lp1_root");
        assertThat(disk).exists();
        assertThat(rig.openssh(PASSWORD, List.of(), "rmsyscfg -r lpar -m sys1 -n lp1 --vioscfg --vdisk"))
                .isEqualTo(new Exec("", "", 0));
        assertThat(ok("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name").stdout()).doesNotContain("lp1\n");
        assertThat(ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "lsmap -all -field svsa vtd -fmt :").stdout())
                .doesNotContain("vtscsi0");
        assertThat(disk).doesNotExist();
        // The system powered off and on again over one SSH command line: the daemon keeps answering.
        assertThat(rig.openssh(PASSWORD, List.of(), "chsysstate -m sys1 -r sys -o off; lssyscfg -r sys -F name,state; "
                + "chsysstate -m sys1 -r sys -o on; lssyscfg -r sys -F state"))
                .isEqualTo(new Exec("sys1,Power Off\nOperating\n", "", 0));
    }

    @Test
    void everyEscapeInOneInteractiveOpenSshSessionIsRefusedAndTheSessionGoesOn(@TempDir Path tmp) throws Exception {
        String token = rig.dir.resolve("run/token").toString();
        String secret = Files.readString(Path.of(token)).strip();
        Path outside = tmp.resolve("written");
        List<String> attempts = List.of("cd /", "/bin/sh", "PATH=/bin:/usr/bin", "exec /bin/sh",
                "echo x > " + outside, "echo $(/bin/cat " + token + ")", "echo $(cat " + token + ")",
                "BASH_ENV=" + outside + " lssyscfg -r sys -F name", "env", "grep -r a " + rig.dir, "tail " + token,
                "sed e", "sed 'w " + outside + "'", "sort -o " + outside, "grep x < " + token, "bash", "scp -t /tmp");
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < attempts.size(); i++) {
            input.append(attempts.get(i)).append("\r").append("echo alive-").append(i).append("\r");
        }
        input.append("echo \"[$PATH][$BASH_ENV]\"\rexit\r");
        Path in = tmp.resolve("typed");
        Files.writeString(in, input);
        Exec shell = SshRig.run(List.of("sh", "-c", "sshpass -p " + PASSWORD + " ssh -tt -e none -p " + rig.port
                + " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR " + SshRig.USER
                + "@127.0.0.1 < " + in));
        String text = shell.out().replace("\r", "");
        for (int i = 0; i < attempts.size(); i++) {
            assertThat(text).as(attempts.get(i)).contains("\nalive-" + i + "\n");
        }
        assertThat(text).doesNotContain(secret).contains("rbash: cd: restricted")
                .contains("[/hmcrbin:/usr/hmcrbin][]");
        assertThat(shell.status()).isZero();
        assertThat(outside).doesNotExist();
    }

    @Test
    void openSshScpSftpAndForwardingAreRefused(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        List<String> common = List.of("-P", Integer.toString(rig.port), "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR");
        for (List<String> mode : List.<List<String>>of(List.of(), List.of("-O"))) { // SFTP-based scp, then the legacy protocol
            List<String> cmd = new ArrayList<>(List.of("sshpass", "-p", PASSWORD, "scp"));
            cmd.addAll(mode);
            cmd.addAll(common);
            cmd.addAll(List.of(file.toString(), SshRig.USER + "@127.0.0.1:/tmp/parvirt-scp-" + mode.size()));
            assertThat(SshRig.run(cmd).status()).as("scp %s", mode).isNotZero();
            assertThat(Path.of("/tmp/parvirt-scp-" + mode.size())).doesNotExist();
        }
        Exec remote = rig.openssh(PASSWORD, List.of("-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:"
                + rig.port), "");
        assertThat(remote.status()).isNotZero();
        assertThat(remote.err()).contains("forwarding failed");
        assertThat(rig.openssh(PASSWORD, List.of(), "echo still").out()).isEqualTo("still\n");
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void theHostKeyIsKeptAcrossARestart() throws Exception {
        byte[] key = Files.readAllBytes(rig.dir.resolve("ssh/host_key"));
        String seen = keyscan();
        assertThat(seen).contains("ssh-");
        rig.restart();
        assertThat(Files.readAllBytes(rig.dir.resolve("ssh/host_key"))).isEqualTo(key);
        assertThat(keyscan()).isEqualTo(seen);
        assertThat(new String(key, StandardCharsets.ISO_8859_1)).isNotEmpty();
    }

    private String keyscan() {
        Exec e = SshRig.run(List.of("ssh-keyscan", "-p", Integer.toString(rig.port), "127.0.0.1"));
        assertThat(e.status()).isZero();
        return e.out().lines().filter(l -> !l.startsWith("#")).map(l -> l.substring(l.indexOf(' ') + 1)).sorted()
                .collect(Collectors.joining("\n"));
    }
}
