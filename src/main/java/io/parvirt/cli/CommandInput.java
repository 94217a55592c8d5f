package io.parvirt.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a command reads on the client side before it goes to the daemon (issue 12): {@code -f}
 * files, read with a bound (a {@code /dev/zero} or a multi-GB file is refused in one line, not an
 * OutOfMemoryError) and as strict UTF-8; and a password that is not on the command line.
 */
final class CommandInput {
    /** Far above any real record file (64 KB a record), well below the daemon's request limit. */
    static final int MAX_FILE_BYTES = 512 * 1024;

    private CommandInput() {
    }

    /** A refusal printed as the HMC prints it: one line on standard output, exit 1. */
    static final class Refused extends Exception {
        Refused(String line) {
            super(line);
        }
    }

    static String recordFile(String name) throws Refused {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(Path.of(name))) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException | RuntimeException e) {
            throw new Refused("The file " + name + " could not be read.  Please check the file name and retry the "
                    + "command.");
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new Refused("The file " + name + " is too large: at most " + MAX_FILE_BYTES / 1024 + " KB of "
                    + "records can be read.");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Refused("The file " + name + " is not UTF-8 text.");
        }
    }

    /**
     * {@code mkhmcusr} or {@code mksysconn} without {@code --passwd}: as on the HMC, the password is
     * asked for (a new one twice, the managed system's once; not echoed) on a terminal, or read as
     * one line from standard input, and travels to the daemon in the request body, never on a
     * command line that {@code ps} shows.
     */
    static String[] withPassword(String[] args) throws Refused {
        boolean newUser = args[0].equals("mkhmcusr");
        int i = Arrays.asList(args).indexOf("-i");
        boolean inAttributes = i >= 0 && i + 1 < args.length && args[i + 1].matches("(?s)(.*[,\"])?passwd=.*");
        if (!(newUser || args[0].equals("mksysconn")) || Arrays.asList(args).contains("--passwd")
                || Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-o") || inAttributes) {
            return args;
        }
        String password;
        Console console = System.console();
        if (console != null && console.isTerminal()) {
            char[] first = console.readPassword(newUser ? "Enter the new password: "
                    : "Enter the password of the user on the managed system: ");
            char[] again = newUser ? console.readPassword("Retype the new password: ") : first;
            if (first == null || again == null || !Arrays.equals(first, again)) {
                throw new Refused("The passwords entered do not match.");
            }
            password = new String(first);
        } else {
            try {
                password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                password = null;
            }
            if (password == null) {
                return args; // nothing given: the daemon names the missing --passwd
            }
        }
        List<String> out = new ArrayList<>(List.of(args));
        out.add("--passwd");
        out.add(password);
        return out.toArray(String[]::new);
    }
}
