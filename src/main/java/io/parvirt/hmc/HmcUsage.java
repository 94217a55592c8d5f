package io.parvirt.hmc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code VERB --help}: each HMC command's usage, from one table of the forms parvirt takes (the
 * HMC prints its man page's synopsis and a sentence of purpose; the exact HMC layout is not
 * captured, so this is "Usage:" then the synopsis, a blank line and the purpose).
 */
public final class HmcUsage {
    private record Entry(String purpose, String synopsis) {
    }

    private static final String FORMAT = "[-F [<attribute names>] [--header]]";
    private static final Map<String, Entry> TABLE = new LinkedHashMap<>();

    static {
        add("bklpar", "Back up a partition (definition, profiles, VIOS mappings, disk contents; running or not) "
                + "to an archive in the console's backup directory; a parvirt command.",
                "-m <managed system> {-p <partition name> | --id <partition ID>} -f <file name> [--force]");
        add("rstlpar", "Restore a partition from a backup archive, under its own name or a new one; a parvirt command.",
                "-m <managed system> -f <file name> [-n <new partition name>] [--newid <partition ID>]");
        add("cplpar", "Copy a Not Activated partition whole (definition, profiles, disks) as a new partition, or "
                + "with --linked any Not Activated or Running one, its disks copy-on-write over a snapshot of its own; "
                + "a parvirt command.",
                "-m <managed system> {-p <partition name> | --id <partition ID>} -n <new partition name> "
                + "[--newid <partition ID>] [--linked]");
        add("migrdisk", "Move a backing device of a Virtual I/O Server to another of its storage pools while its "
                + "client runs; a parvirt command.",
                "-m <managed system> {-p <VIOS partition name> | --id <VIOS partition ID>} -bd <backing device> "
                + "-sp <target storage pool> [--rate <MB per second>]");
        add("lslparjob", "List the partition backups, restores, copies and disk moves in progress, and those a stopped "
                + "daemon interrupted; a parvirt command.",
                "-m <managed system> " + FORMAT);
        add("rmlparjob", "Cancel a partition backup, restore, copy or disk move in progress, or remove an interrupted "
                + "one from the list; a parvirt command.",
                "-m <managed system> --id <job ID>");
        add("mklparsnap", "Take a snapshot of a partition's disks served by a Virtual I/O Server and, when it runs, "
                + "of its memory (unless --nomem), at one point; a parvirt command.",
                "-m <managed system> {-p <partition name> | --id <partition ID>} -n <snapshot name> [--nomem] "
                + "[-d \"<description>\"]");
        add("lslparsnap", "List partition snapshots; a parvirt command.",
                "-m <managed system> [{-p <partition name> | --id <partition ID>}] " + FORMAT);
        add("rstlparsnap", "Revert a partition to a snapshot: running at that point if it was taken with memory, "
                + "else Not Activated with its disks at that point; a parvirt command.",
                "-m <managed system> {-p <partition name> | --id <partition ID>} -n <snapshot name>");
        add("rmlparsnap", "Delete a partition snapshot, merging what it held; a parvirt command.",
                "-m <managed system> {-p <partition name> | --id <partition ID>} -n <snapshot name>");
        add("bkprofdata", "Back up the partition profile data of a managed system to a file under the console's profile data directory.",
                "-m <managed system> -f <file name> [--force]");
        add("chhwres", "Dynamically change the processors, memory, virtual adapters or processor pools of partitions.",
                "-r proc|mem -m <managed system> -o a|r|m|s {-p <partition name> | --id <partition ID>} "
                + "[-t <target partition name> | --tid <target partition ID>] [--procs <quantity>] "
                + "[--procunits <quantity>] [-q <quantity>] [-a \"<attributes>\"] [-w <wait time>] [--force]",
                "-r procpool -m <managed system> -o s {--poolname <pool name> | --id <pool ID>} "
                + "[-p <partition name>] [-a \"<attributes>\"]",
                "-r virtualio --rsubtype eth|scsi -m <managed system> -o a|r|s {-p <partition name> | "
                + "--id <partition ID>} -s <virtual slot number> [-a \"<attributes>\"]",
                "-r virtualio --rsubtype vswitch -m <managed system> -o a|r --vswitch <virtual switch name>");
        add("rstprofdata", "Restore the partition profile data of a managed system from a backup file.",
                "-m <managed system> -l 1|2|3|4 -f <file name>");
        add("lsrunstate", "List parvirt's run state of partitions (Running, Paused, ...); a parvirt command.",
                "-r lpar -m <managed system> " + FORMAT);
        add("rsthwres", "Restore a partition's current processors or memory to its profile after a failed dynamic change.",
                "-r proc|mem|io -m <managed system> [{-p <partition name> | --id <partition ID>}]");
        add("chsyscfg", "Change the attributes of partitions, partition profiles or the managed system.",
                "-r lpar|prof|sys -m <managed system> {-f <configuration file> | -i \"<configuration data>\"}",
                "-r lpar -m <managed system> -o apply {-p <partition name> | --id <partition ID>} "
                + "[-n <profile name>]");
        add("chlparstate", "Suspend or resume a partition, or shut down a suspended partition.",
                "-o suspend|resume|shutdown -m <managed system> {-p <partition name> | --id <partition ID>}");
        add("chsysstate", "Change the state of a partition or of the managed system.",
                "-r lpar -m <managed system> -o on|shutdown|osshutdown|restart {-n <partition name> | "
                + "--id <partition ID>} [-f <profile name>] [--immed] [--restart] [--test]",
                "-r sys -m <managed system> -o on|off [--immed]",
                "-r lpar -m <managed system> -o pause|resume {-n <partition name> | --id <partition ID>}",
                "-r sysprof -m <managed system> -o on -n <system profile name> [--test]");
        add("lscod", "List Capacity on Demand information (none on this managed system).",
                "-m <managed system> -t <information type> -r <resource type> [-c <CoD type>] " + FORMAT);
        add("lscodpool", "List Power enterprise pools (none on this managed system).",
                "[-p <pool name>] --level pool|sys " + FORMAT);
        add("lshmc", "List the console's version, VPD, network, BIOS or remote access settings.",
                "-V | -v | -n | -b | -r " + FORMAT);
        add("lshmcusr", "List the console's users.", "[--filter \"<filter data>\"] " + FORMAT);
        add("lshwres", "List the hardware resources of a managed system.",
                "-r proc|mem|procpool|mempool|io|virtualio -m <managed system> [--level lpar|sys|pool|slot] "
                + "[--rsubtype <resource subtype>] [--filter \"<filter data>\"] [--maxmem <quantity> "
                + "[--hptratio <ratio>]] " + FORMAT);
        add("lsled", "List the attention LEDs of a managed system or its partitions.",
                "-r sa -m <managed system> -t phys|virtualsys|virtuallpar " + FORMAT);
        add("lslic", "List the code levels of a managed system.",
                "-m <managed system> [-t sys|syspower] " + FORMAT);
        add("lslparmigr", "List partition mobility capabilities of a managed system and the migration state of its partitions.",
                "-r sys|lpar -m <managed system> [--filter \"<filter data>\"] " + FORMAT,
                "-r msp|procpool|virtualio -m <managed system> -t <target managed system> --filter "
                + "\"lpar_names=<partition name>|lpar_ids=<partition ID>\" " + FORMAT);
        add("lslparutil", "List utilization data collected for a managed system, or the collection settings.",
                "-r lpar|pool|procpool|sys|all -m <managed system> [-d <days>] [-h <hours>] [--minutes <minutes>] "
                + "[--startyear <year> ... --endminute <minute>] [-n <number of events>] [-s h|d|m] "
                + "[--filter \"<filter data>\"] " + FORMAT,
                "-r config [-m <managed system>] " + FORMAT);
        add("lsrefcode", "List the reference codes of partitions.",
                "-r lpar -m <managed system> [--filter \"<filter data>\"] " + FORMAT);
        add("lssvcevents", "List console or serviceable events.",
                "-t console|hardware [-d <days>] [-m <managed system>] [--filter \"<filter data>\"] " + FORMAT);
        add("lssyscfg", "List the attributes of managed systems, partitions or partition profiles.",
                "-r sys|lpar|prof [-m <managed system>] [--filter \"<filter data>\"] " + FORMAT);
        add("migrlpar", "Validate, perform, stop or recover the migration of a partition to another managed system.",
                "-o v|m|s|r -m <managed system> [-t <target managed system>] {-p <partition name> | "
                + "--id <partition ID>} [-n <profile name>] [-w <wait time>]");
        add("mkauthkeys", "Add or remove a user's SSH public keys.",
                "{-a \"<public key>\" | -r \"<public key>|<comment>\"} [-u <user name>]",
                "{-a | --add} --ip <remote HMC>[:<port>] [-u <remote user name>] --passwd <password> [-t rsa]",
                "{-r | --remove} --ip <remote HMC>[:<port>] [-u <remote user name>] [--passwd <password>]",
                "--test --ip <remote HMC>[:<port>] [-u <remote user name>]");
        add("mkhmcusr", "Create a console user.",
                "-u <user name> -a <task role> [--passwd <password>] [-d <description>]",
                "-i \"name=<user name>,taskrole=<task role>[,resourcerole=<resource role>][,passwd=<password>]\"");
        add("chhmcusr", "Change a console user's task role or managed resource role (ALL: for every resource).",
                "{-f <input data file> | -i \"name=<user name>[,taskrole=<task role>][,resourcerole=<resource role>]\"}");
        add("mkaccfg", "Create a managed resource role: the managed systems and partitions its users may see and act on.",
                "-t resourcerole {-f <configuration file> | -i \"name=<role name>,resources=<resource>[,...]\"}");
        add("chaccfg", "Change the resources of a managed resource role (resources=, resources+= or resources-=).",
                "-t resourcerole {-f <configuration file> | -i \"name=<role name>,resources[+|-]=<resource>[,...]\"}");
        add("rmaccfg", "Remove a managed resource role that no user holds.", "-t resourcerole -n <role name>");
        add("lsaccfg", "List the managed resource roles or the task roles.",
                "-t resourcerole|taskrole [--filter \"resourceroles=<name>|taskroles=<name>\"] " + FORMAT);
        add("mksyscfg", "Create partitions or partition profiles.",
                "-r lpar|prof -m <managed system> {-f <configuration file> | -i \"<configuration data>\"}",
                "-r prof -m <managed system> -o save {-p <partition name> | --id <partition ID>} "
                + "-n <profile name> [--force]");
        add("mkvterm", "Open a virtual terminal session to a partition.",
                "-m <managed system> {-p <partition name> | --id <partition ID>} [--view | --take]");
        add("monhmc", "Show one sample of the console's own processors, memory, swap space or file systems.",
                "-r proc|mem|swap|disk [-n <interval>]");
        add("rmhmcusr", "Remove a console user.", "-u <user name>");
        add("mksysconn", "Connect another host's managed system to this console.",
                "--ip <host>[:<port>] [-r sys] [-u <user name>] [--passwd <password>]");
        add("lssysconn", "List the managed system connections of this console.", "-r all " + FORMAT);
        add("rmsysconn", "Remove a managed system connection.", "-o remove --ip <host>[:<port>]");
        add("rmsyscfg", "Remove a partition or a partition profile.",
                "-r lpar -m <managed system> {-n <partition name> | --id <partition ID>} [--vioscfg] [--vdisk]",
                "-r prof -m <managed system> -n <profile name> {-p <partition name> | --id <partition ID>}");
        add("rmvterm", "Close a partition's virtual terminal session.",
                "-m <managed system> {-p <partition name> | --id <partition ID>}");
        add("viosvrcmd", "Run a command on a Virtual I/O Server partition.",
                "-m <managed system> {-p <partition name> | --id <partition ID>} -c \"<command>\"");
    }

    private HmcUsage() {
    }

    private static void add(String verb, String purpose, String... synopses) {
        TABLE.put(verb, new Entry(purpose, String.join("\n", synopses)));
    }

    /** The usage text of {@code verb}, when it is a command of this console. */
    public static Optional<String> of(String verb) {
        Entry e = TABLE.get(verb);
        if (e == null) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder();
        List<String> forms = e.synopsis().lines().toList();
        for (int i = 0; i < forms.size(); i++) {
            out.append(i == 0 ? "Usage: " : "       ").append(verb).append(' ').append(forms.get(i))
                    .append(" [--help]\n");
        }
        return Optional.of(out.append('\n').append(e.purpose()).append('\n').toString());
    }

    /** Whether a command line asks for its usage: {@code --help} anywhere after the verb, as on the HMC. */
    public static boolean asked(List<String> argv) {
        return argv.size() > 1 && argv.subList(1, argv.size()).contains("--help");
    }

    /** The commands in the table, in order. */
    public static java.util.Set<String> verbs() {
        return TABLE.keySet();
    }
}
