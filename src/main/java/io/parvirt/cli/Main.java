package io.parvirt.cli;

import picocli.CommandLine;

/** Entry point of {@code ./parvirt}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("serve") || args[0].equals("daemon") || args[0].equals("guest")
                || args[0].equals("image") || args[0].equals("vswitch"))) {
            // parvirt's own commands: picocli is worth its start-up cost here, not on the HMC path.
            CommandLine cl = new CommandLine(new ParvirtCommand());
            cl.setExpandAtFiles(false);
            System.exit(cl.execute(args));
        }
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            System.out.print(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        if (args[0].equals("--version") || args[0].equals("-V") || args[0].equals("version")) {
            String v = Main.class.getPackage().getImplementationVersion();
            System.out.println("parvirt " + (v == null ? "development" : v));
            System.exit(0);
        }
        if (args[0].startsWith("-")) {
            System.err.print("parvirt: unknown option " + args[0] + "\n" + USAGE);
            System.exit(2);
        }
        java.util.Optional<String> usage = io.parvirt.hmc.HmcUsage.of(args[0]);
        if (usage.isPresent() && io.parvirt.hmc.HmcUsage.asked(java.util.List.of(args))) {
            System.out.print(usage.get()); // as the HMC answers it, and without starting a daemon to say so
            System.exit(0);
        }
        System.exit(HmcClient.run(args));
    }

    static final String USAGE = """
            Usage: parvirt <command> [options]

            parvirt's own commands:
              serve [--listen HOST:PORT]   run the host daemon and the HMC service in the foreground
              daemon status                show the daemon of this home (PARVIRT_HOME, default ~/.parvirt)
              daemon stop                  stop it
              image build | image list     build the default partition image, list images
              guest exec -m SYS -p NAME -- CMD ARGS...
                                           run a command in a running partition (exit code is CMD's)
              vswitch ports                every virtual switch port with its frame, byte and drop counters

            HMC commands (sent to the daemon of this home, which is started if none runs; COMMAND --help
            prints a command's usage):
            """ + wrap(java.util.List.copyOf(io.parvirt.hmc.HmcUsage.verbs()));

    /** The HMC commands, comma separated, in lines of at most 100 characters. */
    private static String wrap(java.util.List<String> verbs) {
        StringBuilder out = new StringBuilder("  ");
        int col = 2;
        for (int i = 0; i < verbs.size(); i++) {
            String w = verbs.get(i) + (i + 1 < verbs.size() ? "," : "");
            if (col + w.length() + 1 > 100) {
                out.append("\n  ");
                col = 2;
            } else if (i > 0) {
                out.append(' ');
                col++;
            }
            out.append(w);
            col += w.length();
        }
        return out.append('\n').toString();
    }
}
